using System.Globalization;
using System.Text;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// Posts through <see cref="IRunbookNotifier"/> to an audience: <c>notify</c> takes it from the
/// <c>audience</c> argument; <c>status-page</c> and <c>ticket</c> have their own audience.
/// </summary>
public sealed class NotifyExecutor(IRunbookNotifier notifier, string name, string? fixedAudience) : IStepExecutor
{
    public string Name => name;

    public static NotifyExecutor Stakeholders(IRunbookNotifier notifier) => new(notifier, ExecutorNames.Notify, null);
    public static NotifyExecutor StatusPage(IRunbookNotifier notifier) => new(notifier, ExecutorNames.StatusPage, "status-page");
    public static NotifyExecutor Ticket(IRunbookNotifier notifier) => new(notifier, ExecutorNames.Ticket, "ticket");

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var audience = fixedAudience ?? context.Text("audience", "stakeholders");
        var text = context.Text("text", context.Step.Title);
        await notifier.NotifyAsync(context.Run.Id, context.Run.IncidentId, audience, text, cancellationToken);
        return StepResult.Ok($"posted to {audience}: {text}");
    }
}

/// <summary>Documents the run's timeline with the elapsed time (RTO so far) and the measured RPO.</summary>
public sealed class TimelineExecutor(IRunbookNotifier notifier, TimeProvider time) : IStepExecutor
{
    public string Name => ExecutorNames.Timeline;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var run = context.Run;
        var elapsed = time.GetUtcNow() - run.StartedAt;
        var rpo = run.Facts.TryGetValue("rpo_seconds", out var seconds) ? $"{seconds} s" : "not measured";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Timeline of {run.Runbook} {run.Id} ({run.FromRegion} → {run.Region}), started by {run.StartedBy} at {run.StartedAt:HH:mm:ss}")
            .AppendLine(CultureInfo.InvariantCulture, $"Elapsed {elapsed:hh\\:mm\\:ss}; measured RPO {rpo}");
        foreach (var step in run.Steps.Where(s => s.EndedAt is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{step.EndedAt:HH:mm:ss} {step.Title}: {step.Status} {step.Detail}");
        }
        await notifier.NotifyAsync(run.Id, run.IncidentId, "timeline", text.ToString(), cancellationToken);
        return StepResult.Ok($"timeline posted: elapsed {elapsed:hh\\:mm\\:ss}, RPO {rpo}");
    }
}
