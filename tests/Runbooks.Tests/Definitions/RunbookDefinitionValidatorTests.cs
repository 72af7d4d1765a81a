using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Tests.Definitions;

public class RunbookDefinitionValidatorTests
{
    private static IReadOnlyList<string> Validate(params StepDefinitionOptions[] steps) =>
        new RunbookDefinitionValidator(DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).Validate(new Dictionary<string, RunbookDefinitionOptions>
        {
            ["my-runbook"] = new() { Steps = [new() { Id = "check", Kind = "check", Executor = "check.region-healthy" }, new() { Id = "approve", Kind = "gate", Role = "lead" }, .. steps] },
        });

    [Fact]
    public void A_valid_runbook_has_no_errors() => Assert.Empty(Validate());

    [Fact]
    public void An_unknown_role_is_named_with_its_key_and_the_valid_roles()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions { Id = "second-approval", Kind = "gate", Role = "leed" }));

        Assert.Equal("DrBot:Runbooks:my-runbook:Steps:2:Role: unknown role 'leed'; valid: oncall, lead, cto, engineering-lead, primary-team", error);
    }

    [Fact]
    public void An_unknown_executor_is_named_with_the_valid_ones()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions { Id = "promote", Kind = "action", Executor = "db.promot" }));

        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:2:Executor: unknown executor 'db.promot'; valid: ", error);
        Assert.Contains("db.promote", error);
    }

    [Fact]
    public void An_unknown_compensation_executor_is_refused()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions { Id = "scale", Kind = "action", Executor = "cluster.scale", Compensation = "cluster.unscale" }));

        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:2:Compensation: unknown executor 'cluster.unscale'", error);
    }

    [Fact]
    public void An_unknown_kind_lists_the_valid_kinds()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions { Id = "wait", Kind = "pause" }));

        Assert.Equal("DrBot:Runbooks:my-runbook:Steps:2:Kind: unknown kind 'pause'; valid: check, action, gate, notify, manual, runbook", error);
    }

    [Fact]
    public void A_gate_without_a_role_is_refused()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions { Id = "approve-again", Kind = "gate" }));

        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:2:Role: a gate needs the role that decides it", error);
    }

    [Fact]
    public void A_duplicate_step_id_is_refused()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions { Id = "approve", Kind = "gate", Role = "cto" }));

        Assert.Equal("DrBot:Runbooks:my-runbook:Steps:2:Id: duplicate step id 'approve'", error);
    }

    [Fact]
    public void An_unreadable_condition_an_unknown_failure_policy_and_an_unknown_placeholder_are_refused()
    {
        var errors = Validate(
            new StepDefinitionOptions { Id = "data-loss", Kind = "gate", Role = "lead", Condition = "lag is big" },
            new StepDefinitionOptions { Id = "promote", Kind = "action", Executor = "db.promote", OnFailure = "retry", Args = new() { ["region"] = "{target}" } });

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:2:Condition: cannot read 'lag is big'", errors[0]);
        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:3:Args:region: unknown placeholder '{target}'", errors[1]);
        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:3:OnFailure: unknown failure policy 'retry'; valid: abort, rollback, gate", errors[2]);
    }

    [Fact]
    public void Parallel_checks_are_validated_with_their_own_keys()
    {
        var error = Assert.Single(Validate(new StepDefinitionOptions
        {
            Id = "pre-checks",
            Kind = "check",
            Parallel = [new() { Id = "lag", Kind = "check", Executor = "check.replication-lag" }, new() { Id = "down", Kind = "check", Executor = "check.down" }],
        }));

        Assert.StartsWith("DrBot:Runbooks:my-runbook:Steps:2:Parallel:1:Executor: unknown executor 'check.down'", error);
    }

    [Theory]
    [InlineData("90", true)]
    [InlineData("60", false)]
    [InlineData("30.5", false)]
    public void A_lag_condition_holds_only_over_the_threshold(string lag, bool expected)
    {
        Assert.True(StepCondition.TryParse("replication_lag_seconds > 60", out var condition));

        Assert.Equal(expected, condition!.IsMet(new Dictionary<string, string> { ["replication_lag_seconds"] = lag }));
    }

    [Fact]
    public void A_condition_on_a_fact_nobody_measured_holds_so_the_gate_is_asked()
    {
        Assert.True(StepCondition.TryParse("replication_lag_seconds > 60", out var condition));

        Assert.True(condition!.IsMet(new Dictionary<string, string>()));
    }
}
