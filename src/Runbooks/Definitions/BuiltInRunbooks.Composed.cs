using static DrBot.Runbooks.Executors.ExecutorNames;

namespace DrBot.Runbooks.Definitions;

public static partial class BuiltInRunbooks
{
    public const string RegionFailoverComposed = "region-failover-composed";

    /// <summary>
    /// The region failover built from runbooks (one level deep): the database failover and the application
    /// failover run as child runs, whose gates (promotion, data loss, traffic switch) are shown and decided
    /// on this run's card; between them the standby application is pointed at the promoted database, and
    /// validation checks close it. A child that fails, is rejected or expires ends this run the same way.
    /// </summary>
    private static RunbookDefinition RegionFailoverComposedDefinition() => new(
        RegionFailoverComposed,
        "Region failover (composed)",
        "Region failover as runbooks: the database failover, then the application failover, then validation. The children's gates are decided on this card.",
        [
            new("database-failover", "Database failover to {region}", StepKind.Runbook, Runbook: DatabaseFailover),
            UpdateConnectionStringStep("{region}"),
            new("application-failover", "Application failover to {region}", StepKind.Runbook, Runbook: ApplicationFailover),
            CheckStep("verify-services", "Verify all services are running in {region}", ServicesVerify),
            CheckStep("smoke-tests", "Smoke tests against {region}", SmokeTests),
            CheckStep("error-rates", "Monitor error rates", ErrorRates, ("max_error_rate", "0.05")),
        ]);
}
