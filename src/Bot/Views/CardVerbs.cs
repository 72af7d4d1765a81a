namespace DrBot.Bot.Views;

/// <summary>The verbs card buttons carry. The router dispatches on these.</summary>
public static class CardVerbs
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string StartRunbook = "start-runbook";
    public const string Acknowledge = "ack";
    public const string Refresh = "refresh";

    public const string RunId = "runId";
    public const string StepId = "stepId";
    public const string Version = "version";
    public const string Reason = "reason";
    public const string Runbook = "runbook";
    public const string Region = "region";
    public const string IncidentId = "incidentId";
}
