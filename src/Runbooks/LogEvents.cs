namespace DrBot.Runbooks;

/// <summary>
/// Every <c>[LoggerMessage]</c> event id of src/Runbooks, in one place so no two mean different things. 1xxx storage, 2xxx engine, 6xxx live infrastructure.
/// </summary>
public static class LogEvents
{
    /// <summary>PostgresMigrationService.cs</summary>
    public const int SchemaMigrated = 1701;
    /// <summary>PostgresMigrationService.cs</summary>
    public const int StoreUnreachableAtStart = 1702;
    /// <summary>RunWriter.cs</summary>
    public const int RunProjectionFailed = 2001;
    /// <summary>RunRecovery.cs</summary>
    public const int RunResumeFailed = 2002;
    /// <summary>RunbookEngine.cs</summary>
    public const int TrafficUnreadableAtStart = 2003;
    /// <summary>RunLeases.cs</summary>
    public const int RunLeaseLost = 2004;
    /// <summary>RunLeases.cs</summary>
    public const int RunLeaseRenewalFailed = 2005;
    /// <summary>RunbookEngine.Advance.cs: a lost lease (refused save or renewal) stopped the local execution of a run.</summary>
    public const int RunExecutionStopped = 2006;
    /// <summary>RunbookEngine.cs, GateDecider.cs, RunRecovery.cs: a command's save was refused by the lease fence.</summary>
    public const int RunCommandFenced = 2007;
    /// <summary>RunbookEngine.Advance.cs: a freeze holds a run at its step boundary.</summary>
    public const int RunHeldByFreeze = 2020;
    /// <summary>PostgresDatabaseReplica.cs</summary>
    public const int DatabasePromoted = 6101;
    /// <summary>PostgresDatabaseReplica.cs</summary>
    public const int DatabasePromotionFailed = 6102;
}
