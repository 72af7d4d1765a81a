using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using static DrBot.Runbooks.Executors.ExecutorNames;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// The runbooks of DR-STRATEGY.md, step by step. <c>{region}</c> is the region failed over (or back)
/// to, <c>{from}</c> the region being left. Each has a gate before its first production change.
/// </summary>
public static partial class BuiltInRunbooks
{
    public const string RegionFailover = "region-failover";
    public const string DatabaseFailover = "database-failover";
    public const string ApplicationFailover = "application-failover";
    public const string Failback = "failback";
    public const string PlannedSwitchover = "planned-switchover";

    public static IReadOnlyList<RunbookDefinition> All { get; } =
    [
        RegionFailoverDefinition(), DatabaseFailoverDefinition(), ApplicationFailoverDefinition(), FailbackDefinition(), PlannedSwitchoverDefinition(),
        BackupRestoreDefinition(), DataConsistencyDefinition(), RegionFailoverComposedDefinition(),
    ];

    /// <summary>From the cache promotion to the smoke tests: the same in a failover and a planned switchover.</summary>
    private static StepDefinition[] TakeOverSteps() =>
    [
        CachePromoteStep(),
        PromoteDatabaseStep(),
        UpdateConnectionStringStep("{region}"),
        ScaleUpStep(),
        SwitchTrafficStep(),
        CheckStep("verify-services", "Verify all services are running in {region}", ServicesVerify),
        CheckStep("smoke-tests", "Smoke tests against {region}", SmokeTests),
    ];

    private static RunbookDefinition RegionFailoverDefinition() => new(
        RegionFailover,
        "Region failover",
        "Manual failover checklist: pre-checks, approval, fence the old primary, promote the cache, measure the possible data loss again, promote the database (the point of no return), repoint and scale the application, switch traffic, validate.",
        [
            new("pre-failover-checks", "Pre-failover checks", StepKind.Check, OnFailure: FailurePolicy.AskGate, Role: Roles.Lead, Parallel:
            [
                new("primary-down", "Primary region {from} is really down", StepKind.Check, PrimaryDown, Args(("region", "{from}"))),
                new("secondary-healthy", "Secondary region {region} is healthy", StepKind.Check, RegionHealthy, Args(("region", "{region}"))),
                new("replication-lag", "Replication lag under 1 minute", StepKind.Check, ReplicationLag, Args(("region", "{region}"), ("max_seconds", "60"))),
                TargetConfiguredCheck(),
            ]),
            NotifyStep("notify-stakeholders", "Notify stakeholders", "stakeholders", "Region failover from {from} to {region} is being prepared; approval requested."),
            new("open-incident-ticket", "Open the incident ticket", StepKind.Notify, Ticket, Args(("text", "Region failover from {from} to {region}"))),
            // Two leads: the region failover is the biggest decision the bot carries out (N of M, issue 18).
            new("approve-failover", "Approve failover to {region}", StepKind.Gate, Role: Roles.Lead, Approvals: 2),
            .. DataLossSteps(),
            FenceStep(required: false),
            .. TakeOverSteps(),
            CheckStep("data-consistency", "Check data consistency", DataConsistency),
            CheckStep("error-rates", "Monitor error rates", ErrorRates, ("max_error_rate", "0.05")),
            // Public text: it goes on /status, Statuspage and to customers, so it names no region.
            new("status-page", "Update the status page", StepKind.Notify, StatusPage, Args(("text", "Service has been restored from our standby site. We are monitoring it closely."))),
            new("timeline", "Document the incident timeline", StepKind.Notify, Timeline),
        ]);

    /// <summary>
    /// <c>failover &lt;region&gt; --planned</c> and drills: with the old primary up, fence it, wait until the replica
    /// has replayed its last WAL position, then promote: no acknowledged write is lost (RPO = 0, measured).
    /// </summary>
    private static RunbookDefinition PlannedSwitchoverDefinition() => PlannedDefinition(
        PlannedSwitchover, "Planned switchover",
        "Zero-loss switchover with both regions up (drills): fence the old primary, wait until the target has replayed its last WAL position, promote, repoint, scale, switch traffic, validate.",
        "approve-switchover", "Approve the planned switchover to {region}", "Planned switchover from {from} to {region}");

    private static RunbookDefinition PlannedDefinition(string name, string title, string description, string gateId, string gateTitle, string what) => new(
        name, title, description,
        [
            new("pre-switchover-checks", "Pre-switchover checks", StepKind.Check, Parallel:
            [
                new("source-healthy", "{from} answers (it is fenced, not lost)", StepKind.Check, RegionHealthy, Args(("region", "{from}"))),
                new("target-healthy", "{region} is healthy", StepKind.Check, RegionHealthy, Args(("region", "{region}"))),
                new("replication-lag", "{region} database caught up (lag under 1 minute)", StepKind.Check, ReplicationLag, Args(("region", "{region}"), ("max_seconds", "60"))),
                TargetConfiguredCheck(),
            ]),
            NotifyStep("notify-stakeholders", "Notify stakeholders", "stakeholders", what + " is being prepared; approval requested."),
            new(gateId, gateTitle, StepKind.Gate, Role: Roles.Lead),
            FenceStep(required: true),
            new("wait-for-replay", "Wait until {region} has replayed the last WAL of {from}", StepKind.Check, WaitForReplay,
                Args(("region", "{region}"), ("from", "{from}"), ("max_wait_seconds", "30")), FailurePolicy.Rollback),
            .. TakeOverSteps(),
            CheckStep("data-consistency", "Check data consistency (exact WAL position)", DataConsistency),
            new("status-page", "Update the status page", StepKind.Notify, StatusPage, Args(("text", "Planned maintenance completed; all services are running."))),
            new("timeline", "Document the timeline", StepKind.Notify, Timeline),
        ]);

    private static RunbookDefinition DatabaseFailoverDefinition() => new(
        DatabaseFailover,
        "Database failover",
        "database-failover.sh: check replication lag, approve (and accept data loss when lag is over 60 s), promote, update connection strings.",
        [
            new("check-replication-lag", "Check replication lag of {region}", StepKind.Check, ReplicationLag, Args(("region", "{region}"))),
            new("approve-promotion", "Approve promotion of the {region} database", StepKind.Gate, Role: Roles.Lead),
            .. DataLossSteps(),
            PromoteDatabaseStep(),
            // The application keeps running where it is ({from}); only its database moves.
            new("update-connection-strings", "Point core-api in {from} at the {region} database", StepKind.Action, UpdateConnectionString,
                Args(("cluster", "{from}"), ("database", "{region}")), FailurePolicy.Rollback, RestoreConnectionString, Args(("cluster", "{from}"))),
        ]);

    private static RunbookDefinition ApplicationFailoverDefinition() => new(
        ApplicationFailover,
        "Application failover",
        "application-failover.sh: cluster credentials, scale up to 3 replicas, approve the traffic switch, update the traffic-manager endpoints.",
        [
            new("cluster-credentials", "Get {region} cluster credentials", StepKind.Check, ClusterCredentials, Args(("region", "{region}"))),
            // The standby serves no traffic until the switch: scaling it up is preparation, not a production change.
            ScaleUpStep() with { Production = false },
            new("approve-traffic-switch", "Approve switching traffic to {region}", StepKind.Gate, Role: Roles.Lead),
            new("disable-primary-endpoint", "Disable the {from} traffic-manager endpoint", StepKind.Action, TrafficDisable,
                Args(("region", "{from}")), FailurePolicy.Rollback, TrafficEnable, Args(("region", "{from}"))),
            new("enable-secondary-endpoint", "Enable the {region} traffic-manager endpoint", StepKind.Action, TrafficEnable,
                Args(("region", "{region}")), FailurePolicy.Rollback, TrafficDisable, Args(("region", "{region}"))),
        ]);

    /// <summary>Back to the primary region: a planned switchover by default (both regions up, nothing lost).</summary>
    private static RunbookDefinition FailbackDefinition() => PlannedDefinition(
        Failback, "Failback",
        "Return to the primary region after a failover or drill, as a planned switchover: checks, approval, fence the region being left, wait for the replay of its last WAL, promote, repoint, scale, switch traffic back, validate.",
        "approve-failback", "Approve failback to {region}", "Failback from {from} to {region}");

    /// <summary>Pre-check: the target region's cluster and application URL are configured (a missing key fails before anything changes).</summary>
    private static StepDefinition TargetConfiguredCheck() =>
        new("target-configured", "{region} is configured for the failover (cluster, application URL)", StepKind.Check, RegionConfigured, Args(("region", "{region}")));

    /// <summary>Lag and heartbeat measured again after the approval; a data-loss gate opens if they now exceed a minute.</summary>
    private static StepDefinition[] DataLossSteps() =>
    [
        new("measure-data-loss", "Measure the possible data loss again", StepKind.Check, DataLossBound, Args(("region", "{region}"))),
        new("accept-data-loss", "Accept possible data loss (up to {fact:rpo_bound_seconds} s of commits)", StepKind.Gate, Role: Roles.Lead, Condition: "rpo_bound_seconds > 60", Destructive: true),
    ];

    private static StepDefinition FenceStep(bool required) =>
        new("fence-old-primary", "Fence the old primary in {from} (traffic off, database read-only)", StepKind.Action, Fence,
            Args(("region", "{from}"), ("required", required ? "true" : "false")), FailurePolicy.Rollback, Unfence, Args(("region", "{from}")));

    private static StepDefinition CachePromoteStep() =>
        new("promote-cache", "Promote the {region} cache; the {from} cache follows it", StepKind.Action, CachePromote,
            Args(("region", "{region}"), ("from", "{from}")), FailurePolicy.Rollback, CacheRestore, Args(("region", "{region}"), ("from", "{from}")));

    private static StepDefinition PromoteDatabaseStep() =>
        // The point of no return: a promoted replica cannot be demoted again (no compensation); past it a
        // failing step stops at a gate (Retry step / Skip / Roll back anyway) instead of rolling back.
        new("promote-database", "Promote the {region} database to primary", StepKind.Action, DatabasePromote, Args(("region", "{region}")));

    private static StepDefinition UpdateConnectionStringStep(string cluster) =>
        new("update-connection-string", "Point core-api at the {region} database", StepKind.Action, UpdateConnectionString,
            Args(("cluster", cluster), ("database", "{region}")), FailurePolicy.Rollback, RestoreConnectionString, Args(("cluster", cluster)));

    private static StepDefinition ScaleUpStep() =>
        new("scale-up", "Scale up the {region} cluster to 3 replicas", StepKind.Action, ClusterScale,
            Args(("region", "{region}"), ("replicas", "3")), FailurePolicy.Rollback, ClusterRestoreScale, Args(("region", "{region}")));

    private static StepDefinition SwitchTrafficStep() =>
        new("switch-traffic", "Switch traffic: disable {from}, enable {region}", StepKind.Action, TrafficSwitch,
            Args(("from", "{from}"), ("to", "{region}")), FailurePolicy.Rollback, TrafficSwitch, Args(("from", "{region}"), ("to", "{from}")));

    // Checks stop the run on failure; their rollback signals (secondary_unhealthy, data_inconsistency_detected) roll it back.
    private static StepDefinition CheckStep(string id, string title, string executor, params (string Key, string Value)[] extra) =>
        new(id, title, StepKind.Check, executor, Args([("region", "{region}"), .. extra]));

    private static StepDefinition NotifyStep(string id, string title, string audience, string text) =>
        new(id, title, StepKind.Notify, Notify, Args(("audience", audience), ("text", text)));

    private static Dictionary<string, string> Args(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
