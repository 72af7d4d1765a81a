using DrBot.Bot.Cards;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Views;

/// <summary>
/// The runbook card: steps with status and elapsed time, who started it, the pending gate with
/// Approve/Reject and a reason box, decision stamps, and the outcome. Buttons carry the run id,
/// step id and run version so a click on a superseded card is recognised.
/// </summary>
public static class RunbookCard
{
    public static string PostKey(string runId) => $"run:{runId}";

    public static CardDocument Build(RunRecord run, RunbookDefinition? definition, IReadOnlyList<GateDecision> decisions, Roster roster, DateTimeOffset now)
    {
        var title = $"{definition?.Title ?? run.Runbook} → {run.Region}";
        var blocks = new List<CardBlock>
        {
            new FactsBlock(Facts(run)),
            new StepsBlock(run.Steps.Select(s => Line(s, now)).ToList()),
        };
        foreach (var check in run.Steps.SelectMany(s => s.Checks))
            blocks.Add(new TextBlock($"{(check.Passed ? "✔" : "✖")} {check.Title}: {check.Detail}", Subtle: true));
        foreach (var decision in decisions)
            blocks.Add(new TextBlock(decision.Approved && definition?.Step(decision.StepId)?.Kind == StepKind.Manual
                ? ManualTaskCard.DoneStamp(decision, run)
                : GateApprovalView.ApprovalStamp(decision, run) ?? DecisionStamp(decision, run)));

        var pending = PendingGate(run, definition);
        var buttons = new List<CardButton>();
        var inputs = new List<CardInput>();
        CardRefresh? refresh = null;
        if (pending is not null && PointOfNoReturn.IsGate(run, pending.Id))
        {
            var stepTitle = run.Step(pending.Id)?.Title ?? pending.Title;
            blocks.Add(new TextBlock($"**Stopped past the point of no return:** {stepTitle} failed. Nothing is undone automatically; a lead other than {run.StartedBy} chooses. " +
                "Roll back anyway needs two leads (one asks, another confirms)."));
            inputs.Add(new CardInput(CardVerbs.Reason, "Reason (optional)", "Why"));
            var data = new Dictionary<string, string>
            {
                [CardVerbs.RunId] = run.Id,
                [CardVerbs.StepId] = pending.Id,
                [CardVerbs.Version] = run.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            buttons.Add(new CardButton("Retry step", CardVerbs.RetryStep, data, ButtonStyle.Positive));
            buttons.Add(new CardButton("Skip", CardVerbs.SkipStep, data, ButtonStyle.Default,
                new ButtonConfirm("Skip this step?", $"{stepTitle} is left failed and the run goes on.", "Skip", "Cancel")));
            buttons.Add(new CardButton("Roll back anyway", CardVerbs.RollBackAnyway, data, ButtonStyle.Destructive,
                new ButtonConfirm("Roll back anyway?", "Traffic and the application go back to the region left, which may be dead; the promoted database stays promoted.", "Roll back", "Cancel")));
            var approvers = roster.WithRole(pending.Role ?? Roles.Lead).Where(p => p.Name != run.StartedBy).ToList();
            refresh = new CardRefresh(CardVerbs.Refresh, new Dictionary<string, string> { [CardVerbs.RunId] = run.Id }, approvers);
        }
        else if (pending is { Kind: StepKind.Manual })
        {
            refresh = ManualTaskCard.Add(run, pending, roster, blocks, inputs, buttons);
        }
        else if (pending is not null)
        {
            var role = pending.Role ?? Roles.Lead;
            var stepTitle = run.Step(pending.Id)?.Title ?? pending.Title;
            var question = pending.Kind == StepKind.Gate ? stepTitle : $"{stepTitle} failed — continue anyway?";
            blocks.Add(new TextBlock($"**Approval needed:** {question} — {GateApprovalView.WhoDecides(run, pending)}" +
                (run.GateExpiresAt is { } expires ? $" before {Durations.Clock(expires)}." : ".")));
            blocks.AddRange(GateApprovalView.Blocks(run, definition!, pending));
            inputs.AddRange(GateApprovalView.Inputs(run, pending));
            inputs.Add(new CardInput(CardVerbs.Reason, "Reason (optional)", "Why approve or reject"));
            var data = new Dictionary<string, string>
            {
                [CardVerbs.RunId] = run.Id,
                [CardVerbs.StepId] = pending.Id,
                [CardVerbs.Version] = run.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            GateApprovalView.AddTo(data, run, definition!, pending);
            buttons.Add(new CardButton("Approve", CardVerbs.Approve, data, ButtonStyle.Positive,
                new ButtonConfirm("Approve this step?", $"{stepTitle} for {run.Runbook} → {run.Region}. This changes production.", "Approve", "Cancel")));
            buttons.Add(new CardButton("Reject", CardVerbs.Reject, data, ButtonStyle.Destructive));
            var approvers = roster.WithRole(role).Where(p => p.Name != run.StartedBy || pending.AllowSelfApproval).ToList();
            refresh = new CardRefresh(CardVerbs.Refresh, new Dictionary<string, string> { [CardVerbs.RunId] = run.Id }, approvers);
        }
        if (run.IsFinished)
            blocks.Add(new TextBlock($"**{OutcomeText(run.Outcome)}**" + (run.OutcomeReason is { Length: > 0 } r ? $": {r}" : "")));

        blocks.Add(new ContextBlock($"Run {run.Id} · started by {run.StartedBy} at {Durations.Clock(run.StartedAt)} · version {run.Version}"));
        var fallback = pending is not null
            ? $"{title}: approval needed ({run.Step(pending.Id)?.Title ?? pending.Title})"
            : $"{title}: {(run.IsFinished ? OutcomeText(run.Outcome) : "running")}";
        return new CardDocument(title, fallback, Tone(run, pending is not null), Subtitle: definition?.Description,
            Blocks: blocks, Inputs: inputs, Buttons: buttons, Mentions: null, Refresh: refresh);
    }

    public static StepDefinition? PendingGate(RunRecord run, RunbookDefinition? definition)
    {
        // A gate, or a check whose failure asks a lead whether to go on anyway.
        return run.PendingGate() is { } pending ? definition?.Step(pending.StepId) : null;
    }

    public static string OutcomeText(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Succeeded => "✅ Succeeded",
        RunOutcome.Failed => "❌ Failed",
        RunOutcome.Rejected => "⛔ Rejected at the gate",
        RunOutcome.GateExpired => "⌛ Gate expired without a decision",
        RunOutcome.Cancelled => "🛑 Cancelled",
        RunOutcome.RolledBack => "↩ Rolled back",
        _ => "Running",
    };

    public static string DecisionStamp(GateDecision d, RunRecord run)
    {
        var stepId = d.StepId.Split('#')[0];
        var gate = run.Step(stepId)?.Title ?? stepId;
        if (stepId != d.StepId)
            return $"{(d.StepId.EndsWith("#rollback-asked", StringComparison.Ordinal) ? "↩ Asked" : "▶ Chose")} by {d.DisplayName} ({d.Channel}) at {Durations.Clock(d.DecidedAt)}: {gate} — {d.Reason}";
        var verb = d.Approved ? "✅ Approved" : "⛔ Rejected";
        return $"{verb} by {d.DisplayName} ({d.Channel}) at {Durations.Clock(d.DecidedAt)}: {gate}" + (string.IsNullOrWhiteSpace(d.Reason) ? "" : $" — “{d.Reason}”");
    }

    private static List<Fact> Facts(RunRecord run)
    {
        var facts = new List<Fact> { new("Runbook", run.Runbook), new("Target", run.Region) };
        if (run.FromRegion is not null)
            facts.Add(new Fact("From", run.FromRegion));
        if (run.IncidentId is not null)
            facts.Add(new Fact("Incident", run.IncidentId));
        foreach (var key in new[] { "replication_lag_seconds", "rpo_seconds", "rpo_basis", "fencing", "secondary_healthy" })
            if (run.Facts.TryGetValue(key, out var value))
                facts.Add(new Fact(key.Replace('_', ' '), value));
        return facts;
    }

    private static StepLine Line(StepRecord step, DateTimeOffset now)
    {
        var elapsed = step.StartedAt is { } started ? Durations.Format((step.EndedAt ?? now) - started) : null;
        return new StepLine(step.Title, step.Status switch
        {
            StepStatus.Running => StepLineStatus.Running,
            StepStatus.Succeeded or StepStatus.Approved => StepLineStatus.Done,
            StepStatus.Failed or StepStatus.CompensationFailed => StepLineStatus.Failed,
            StepStatus.Skipped => StepLineStatus.Skipped,
            StepStatus.AwaitingApproval => StepLineStatus.Waiting,
            StepStatus.Rejected or StepStatus.Expired => StepLineStatus.Rejected,
            StepStatus.Compensated => StepLineStatus.Compensated,
            _ => StepLineStatus.Pending,
        }, elapsed, step.Detail);
    }

    private static CardTone Tone(RunRecord run, bool waiting) => run.Outcome switch
    {
        RunOutcome.Succeeded => CardTone.Good,
        RunOutcome.None => waiting ? CardTone.Warning : CardTone.Accent,
        _ => CardTone.Attention,
    };
}
