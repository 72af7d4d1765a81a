using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Tests.Definitions;

public class RunbookCatalogTests
{
    private static readonly Dictionary<string, RunbookDefinitionOptions> NoConfiguration = [];

    [Theory]
    [InlineData("region-failover")]
    [InlineData("database-failover")]
    [InlineData("application-failover")]
    [InlineData("failback")]
    public void Every_built_in_runbook_has_a_gate_before_its_first_production_change(string name)
    {
        var definition = new RunbookCatalog(NoConfiguration, DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).Find(name);

        Assert.NotNull(definition);
        var firstChange = definition.Steps.ToList().FindIndex(s => s.ChangesProduction);
        var firstGate = definition.Steps.ToList().FindIndex(s => s.Kind == StepKind.Gate && s.Condition is null);
        Assert.True(firstChange > 0, "the runbook changes production");
        Assert.InRange(firstGate, 0, firstChange - 1);
    }

    [Fact]
    public void Region_failover_follows_the_manual_checklist_of_the_strategy()
    {
        var definition = new RunbookCatalog(NoConfiguration, DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).Find("region-failover")!;

        Assert.Equal(
            ["pre-failover-checks", "notify-stakeholders", "open-incident-ticket", "approve-failover", "measure-data-loss", "accept-data-loss",
             "fence-old-primary", "promote-cache", "promote-database",
             "update-connection-string", "scale-up", "switch-traffic", "verify-services", "smoke-tests",
             "data-consistency", "error-rates", "status-page", "timeline"],
            definition.Steps.Select(s => s.Id));
        Assert.Equal(["primary-down", "secondary-healthy", "replication-lag", "target-configured"], definition.Steps[0].ParallelChecks.Select(c => c.Id));
        Assert.Equal("lead", definition.Step("approve-failover")!.Role);
        // The promotion is the point of no return: the first action nothing can compensate.
        Assert.Equal("promote-database", PointOfNoReturn.StepOf(definition)!.Id);
        Assert.Equal("db.unfence", definition.Step("fence-old-primary")!.Compensation);
        Assert.Equal("cache.restore", definition.Step("promote-cache")!.Compensation);
    }

    [Fact]
    public void Database_failover_asks_to_accept_data_loss_only_when_the_lag_is_over_a_minute()
    {
        var gate = new RunbookCatalog(NoConfiguration, DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).Find("database-failover")!.Step("accept-data-loss")!;

        Assert.Equal(StepKind.Gate, gate.Kind);
        Assert.Equal("lead", gate.Role);
        Assert.Equal("rpo_bound_seconds > 60", gate.Condition);
    }

    [Fact]
    public void A_configured_runbook_is_added_and_one_with_a_built_in_name_replaces_it()
    {
        var configured = new Dictionary<string, RunbookDefinitionOptions>(StringComparer.OrdinalIgnoreCase)
        {
            ["cache-failover"] = new()
            {
                Title = "Cache failover",
                Steps =
                [
                    new() { Id = "approve", Kind = "gate", Role = "lead" },
                    new() { Id = "notify", Kind = "notify", Executor = "notify", Args = new() { ["audience"] = "stakeholders", ["text"] = "cache moved to {region}" } },
                ],
            },
            ["failback"] = new() { Steps = [new() { Id = "approve", Kind = "gate", Role = "cto" }] },
        };

        var catalog = new RunbookCatalog(configured, DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames);

        Assert.Equal("Cache failover", catalog.Find("cache-failover")!.Title);
        Assert.Equal(StepKind.Notify, catalog.Find("cache-failover")!.Steps[1].Kind);
        Assert.Equal("cto", Assert.Single(catalog.Find("failback")!.Steps).Role);
        Assert.Contains("region-failover", catalog.Names);
    }

    [Fact]
    public void A_bad_configured_runbook_stops_the_catalog_with_the_key_named()
    {
        var configured = new Dictionary<string, RunbookDefinitionOptions>
        {
            ["my-runbook"] = new() { Steps = [new() { Id = "approve", Kind = "gate", Role = "leed" }] },
        };

        var error = Assert.ThrowsAny<Exception>(() => new RunbookCatalog(configured, DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames));

        Assert.Contains("DrBot:Runbooks:my-runbook:Steps:0:Role: unknown role 'leed'", error.Message);
    }
}
