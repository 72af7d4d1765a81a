using System.Diagnostics;
using DrBot.Runbooks.Engine;

namespace DrBot.Bot.Observability;

/// <summary>The bot's own spans: one per finished runbook step (source <c>DrBot.Runbooks</c>).</summary>
public static class DrBotTracing
{
    public const string RunbookSource = "DrBot.Runbooks";
    private static readonly ActivitySource Runbooks = new(RunbookSource);

    public static void RecordStep(RunRecord run, StepRecord step, DateTimeOffset started, DateTimeOffset ended)
    {
        // The step already ran (observers hear of it afterwards): the span carries its real times.
        using var activity = Runbooks.StartActivity($"step {step.StepId}", ActivityKind.Internal, parentContext: default, startTime: started);
        if (activity is null)
            return;
        activity.SetTag("drbot.run.id", run.Id);
        activity.SetTag("drbot.runbook", run.Runbook);
        activity.SetTag("drbot.region", run.Region);
        activity.SetTag("drbot.step.status", step.Status.ToString().ToLowerInvariant());
        activity.SetTag("drbot.step.attempts", step.Attempts);
        if (step.Status == StepStatus.Failed)
            activity.SetStatus(ActivityStatusCode.Error, step.Detail);
        activity.SetEndTime(ended.UtcDateTime);
    }
}
