using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>Manual-task steps: written instructions, Done by someone with the step's role (with a note), and an expiry.</summary>
public sealed class ManualStepTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const string Runbook = "vendor-failover";

    private readonly EngineHarness _h = new(o => o.Runbooks[Runbook] = new RunbookDefinitionOptions
    {
        Title = "Failover with the storage vendor",
        Steps =
        [
            new() { Id = "check-lag", Kind = "check", Executor = "check.replication-lag", Args = new() { ["region"] = "{region}" } },
            new()
            {
                Id = "call-vendor", Title = "Ask the storage vendor to release the {region} volumes", Kind = "manual", Role = "oncall",
                Instructions = "Call the vendor's support line, quote contract 4711 and ask them to release the {region} volumes.",
                Expiry = TimeSpan.FromMinutes(20),
            },
            new() { Id = "tell", Kind = "notify", Executor = "notify", Args = new() { ["audience"] = "stakeholders", ["text"] = "volumes in {region} released" } },
        ],
    });

    public void Dispose() => _h.Dispose();

    private async Task<RunRecord> AtTheTaskAsync()
    {
        var run = await _h.Engine.AdvanceAsync((await _h.StartAsync(Runbook, "west-us", by: "bob")).Id, None);
        Assert.Equal("call-vendor", run.State);
        Assert.Equal(StepStatus.AwaitingApproval, run.Step("call-vendor")!.Status);
        return run;
    }

    [Fact]
    public async Task Someone_with_the_steps_role_marks_it_done_with_a_note_that_is_audited_and_the_run_goes_on()
    {
        var run = await AtTheTaskAsync();
        Assert.Contains("someone with role oncall", run.Step("call-vendor")!.Detail, StringComparison.Ordinal);

        var done = await _h.Engine.DecideAsync(new GateDecisionRequest(run.Id, "call-vendor", EngineHarness.Person("alice"), true, "ticket VND-88, volumes released by Jo", run.Version), None);
        var final = await _h.Engine.AdvanceAsync(run.Id, None);

        Assert.True(done.Applied, done.Message);
        Assert.Contains("done by alice", done.Message, StringComparison.Ordinal);
        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Contains("ticket VND-88, volumes released by Jo", final.Step("call-vendor")!.Detail, StringComparison.Ordinal);
        var audit = await new AuditLog(_h.Store, _h.Time).ReadAsync(None);
        Assert.Contains(audit, e => e.Action == "manual-done" && e.Subject == $"{run.Id}/call-vendor" && e.Detail.Contains("ticket VND-88", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Someone_without_the_steps_role_is_refused_and_the_task_keeps_waiting()
    {
        var run = await AtTheTaskAsync();

        var refused = await _h.Engine.DecideAsync(new GateDecisionRequest(run.Id, "call-vendor", EngineHarness.Person("dana"), true, "done I think", run.Version), None);

        Assert.Equal(DecisionRefusal.WrongRole, refused.Refusal);
        Assert.Contains("needs role oncall", refused.Message, StringComparison.Ordinal);
        Assert.Null(await _h.Store.GetDecisionAsync(run.Id, "call-vendor", None));
        Assert.Equal(StepStatus.AwaitingApproval, (await _h.Store.GetRunAsync(run.Id, None))!.Step("call-vendor")!.Status);
    }

    [Fact]
    public async Task A_task_not_done_within_its_own_expiry_ends_the_run_and_escalates()
    {
        var run = await AtTheTaskAsync();

        _h.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(0, await _h.Engine.ExpireDueGatesAsync(None));
        _h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await _h.Engine.ExpireDueGatesAsync(None));

        var expired = (await _h.Store.GetRunAsync(run.Id, None))!;
        Assert.Equal(RunOutcome.GateExpired, expired.Outcome);
        Assert.Equal(StepStatus.Expired, expired.Step("call-vendor")!.Status);
        Assert.Contains("was not marked done within 00:20:00; escalate to oncall", expired.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains(_h.Observer.Changes, c => c.RunId == run.Id && c.Change.Kind == RunChangeKind.GateExpired);
        var late = await _h.Engine.DecideAsync(new GateDecisionRequest(run.Id, "call-vendor", EngineHarness.Person("alice"), true, null, expired.Version), None);
        Assert.Equal(DecisionRefusal.Expired, late.Refusal);
    }

    [Fact]
    public async Task Asking_again_for_a_task_restarts_its_own_expiry_not_the_default()
    {
        var run = await AtTheTaskAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(10));

        var asked = await _h.Engine.RerequestGateAsync(run.Id, EngineHarness.Person("bob"), None);

        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromMinutes(20), asked!.GateExpiresAt);
    }

    [Fact]
    public void A_manual_step_without_instructions_or_an_expiry_on_a_step_that_does_not_wait_is_refused_naming_the_key()
    {
        var errors = new RunbookDefinitionValidator(DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).Validate(new Dictionary<string, RunbookDefinitionOptions>
        {
            ["bad"] = new()
            {
                Steps =
                [
                    new() { Id = "do-it", Kind = "manual" },
                    new() { Id = "tell", Kind = "notify", Executor = "notify", Expiry = TimeSpan.FromMinutes(5) },
                ],
            },
        });

        Assert.Contains(errors, e => e.StartsWith("DrBot:Runbooks:bad:Steps:0:Instructions: a manual step needs written instructions", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("DrBot:Runbooks:bad:Steps:1:Expiry:", StringComparison.Ordinal) && e.Contains("only gate and manual steps wait", StringComparison.Ordinal));
    }
}
