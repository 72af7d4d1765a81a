namespace DrBot.Bot;

/// <summary>
/// Every <c>[LoggerMessage]</c> event id of the host, in one place so no two mean different things (src/Runbooks has its own in <c>DrBot.Runbooks.LogEvents</c>). 1xxx commands and the local chat, 21xx runs, 3xxx outbox and alerts, 40xx Slack, 41xx timers, 5xxx Teams, 6xxx integrations, 7xxx health monitor, 8xxx drills, validations and audit.
/// </summary>
public static class HostLogEvents
{
    /// <summary>CommandRouter.cs</summary>
    public const int StoreUnavailable = 1001;
    /// <summary>RunDispatcher.cs</summary>
    public const int RunsResumed = 2101;
    /// <summary>RunDispatcher.cs</summary>
    public const int RunWorkFailed = 2102;
    /// <summary>RunDispatcher.cs</summary>
    public const int RunRequeued = 2103;
    /// <summary>RunDispatcher.cs</summary>
    public const int RunGivenUp = 2104;
    /// <summary>OutboxDispatcher.cs</summary>
    public const int OutboxDeliveryFailed = 3001;
    /// <summary>OutboxDispatcher.cs</summary>
    public const int OutboxMessageGivenUp = 3002;
    /// <summary>OutboxDispatcher.cs</summary>
    public const int OutboxRoundFailed = 3003;
    /// <summary>AlertIntake.cs</summary>
    public const int AlertGroupHandled = 3100;
    /// <summary>AlertIntake.cs</summary>
    public const int AlertIntakeFailed = 3103;
    /// <summary>AlertIntake.cs</summary>
    public const int AlertBatchCommitted = 3104;
    /// <summary>AlertIntake.cs</summary>
    public const int AlertBatchCommitRefused = 3105;
    /// <summary>AlertEndpoints.cs</summary>
    public const int AlertWebhookRefused = 3110;
    /// <summary>AlertEndpoints.cs</summary>
    public const int AlertIntakeStoreUnavailable = 3111;
    /// <summary>AlertEndpoints.cs</summary>
    public const int AlertQueryTokenDeprecated = 3112;
    /// <summary>TimerService.cs</summary>
    public const int TimerRoundFailed = 4101;
    /// <summary>SlackLog.cs</summary>
    public const int SlackRequestRefused = 4001;
    /// <summary>SlackLog.cs</summary>
    public const int SlackDeliveryRepeated = 4002;
    /// <summary>SlackLog.cs</summary>
    public const int SlackReplyDeferred = 4003;
    /// <summary>SlackLog.cs</summary>
    public const int SlackInputFailed = 4004;
    /// <summary>SlackLog.cs</summary>
    public const int SlackApiNotOk = 4005;
    /// <summary>SlackLog.cs</summary>
    public const int SlackApiTransient = 4006;
    /// <summary>SlackLog.cs</summary>
    public const int SlackLateReplyFailed = 4007;
    /// <summary>SlackLog.cs</summary>
    public const int SlackResponseUrlRefused = 4008;
    /// <summary>SlackLog.cs</summary>
    public const int SlackRequestMalformed = 4009;
    /// <summary>SlackLog.cs</summary>
    public const int SlackDeliveryNotStored = 4010;
    /// <summary>SlackLog.cs</summary>
    public const int SlackDeliveryRefusedBusy = 4011;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsRequestRefused = 5001;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsActivityRepeated = 5002;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsBotAdded = 5003;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsReplyFailed = 5004;
    /// <summary>HealthMonitor.cs</summary>
    public const int HealthMonitorOff = 7001;
    /// <summary>HealthMonitor.cs</summary>
    public const int HealthMonitorStarted = 7002;
    /// <summary>HealthMonitor.cs</summary>
    public const int HealthCheckRoundFailed = 7003;
    /// <summary>HealthMonitor.cs</summary>
    public const int HealthProbeFailed = 7004;
    /// <summary>HealthMonitor.cs</summary>
    public const int ActiveRegionUnreadable = 7005;
    /// <summary>HealthMonitor.Triggers.cs</summary>
    public const int HealthTriggered = 7010;
    /// <summary>HealthMonitor.Triggers.cs</summary>
    public const int RegionRecovered = 7011;
    /// <summary>HealthMonitor.Triggers.cs</summary>
    public const int FailoverStartRefused = 7012;
    /// <summary>HealthMonitor.Triggers.cs</summary>
    public const int PendingFenceTried = 7013;
    /// <summary>HealthMonitor.Triggers.cs</summary>
    public const int PendingFencesFailed = 7014;
    /// <summary>HealthMonitor.Triggers.cs (the flap guard held a failover inside the cooldown)</summary>
    public const int FailoverHeldInCooldown = 7015;
    /// <summary>HeartbeatService.cs</summary>
    public const int HeartbeatStarted = 7020;
    /// <summary>HeartbeatService.cs</summary>
    public const int HeartbeatNotAcknowledged = 7021;
    /// <summary>AuthorizingChatInputHandler.cs</summary>
    public const int CommandRefused = 1010;
    /// <summary>LocalChatGuard.cs</summary>
    public const int LocalChatRefused = 1101;
    /// <summary>LocalChatStartup.cs</summary>
    public const int LocalChatOnInLiveMode = 1102;
    /// <summary>LocalChatStartup.cs</summary>
    public const int LocalChatRemoteAllowed = 1103;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsForeignInstallIgnored = 5005;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsConfiguredChannelKept = 5006;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsStoreUnavailable = 5007;
    /// <summary>TeamsLog.cs</summary>
    public const int TeamsSigningKeysUnavailable = 5008;
    /// <summary>TeamsGraphWarRooms.cs</summary>
    public const int TeamsGraphPermissionMissing = 5009;
    /// <summary>TeamsGraphWarRooms.cs</summary>
    public const int TeamsGraphUnavailable = 5010;
    /// <summary>IntegrationStartupReport.cs</summary>
    public const int IntegrationStatus = 6001;
    /// <summary>DrillScheduler.cs</summary>
    public const int DrillScheduleSeedFailed = 8001;
    /// <summary>ValidationService.cs</summary>
    public const int ValidationFailed = 8002;
    /// <summary>AuditCheckpointWriter.cs</summary>
    public const int AuditCheckpointWritten = 8101;
    /// <summary>AuditCheckpointWriter.cs</summary>
    public const int AuditCheckpointFailed = 8102;
    /// <summary>RetentionService.cs</summary>
    public const int RetentionPruned = 8201;
    /// <summary>RetentionService.cs</summary>
    public const int RetentionFailed = 8202;
    /// <summary>PreflightService.cs</summary>
    public const int PreflightFailed = 8301;
    /// <summary>PreflightService.cs</summary>
    public const int PreflightSeedFailed = 8302;
}
