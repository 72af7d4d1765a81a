namespace DrBot.Bot.Views;

/// <summary>The verbs card buttons carry. The router dispatches on these.</summary>
public static class CardVerbs
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    /// <summary>A manual task is done (the note box's text goes with it as <see cref="Reason"/>).</summary>
    public const string Done = "done";
    public const string StartRunbook = "start-runbook";
    public const string Acknowledge = "ack";
    public const string Refresh = "refresh";
    /// <summary>The flap guard's card: a person decides not to fail over a region that failed again inside the cooldown.</summary>
    public const string DismissFailover = "dismiss-failover";
    /// <summary>Point-of-no-return gate: run the failed step again, go past it, or (two leads) roll back anyway.</summary>
    public const string RetryStep = "retry-step";
    public const string SkipStep = "skip-step";
    public const string RollBackAnyway = "roll-back-anyway";

    public const string RunId = "runId";
    public const string StepId = "stepId";
    public const string Version = "version";
    public const string Reason = "reason";
    /// <summary>The digest of the facts an approval card showed (<c>GateFacts.Digest</c>).</summary>
    public const string Facts = "facts";
    /// <summary>The input where a destructive gate's target region is typed.</summary>
    public const string Confirm = "confirm";
    /// <summary>On a destructive gate's buttons: the name to type (Slack opens a modal asking for it).</summary>
    public const string ConfirmTarget = "confirmTarget";
    public const string Runbook = "runbook";
    public const string Region = "region";
    public const string IncidentId = "incidentId";
}
