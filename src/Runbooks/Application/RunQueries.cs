using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Application;

/// <summary>
/// What the host may read about runs (cards, metrics, status posts, the health monitor), so it
/// never reaches into the run store itself. Reads only.
/// </summary>
public sealed class RunQueries(IRunStore store)
{
    public Task<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken) =>
        store.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        store.ListRunsAsync(unfinishedOnly: true, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListAllAsync(CancellationToken cancellationToken) =>
        store.ListRunsAsync(unfinishedOnly: false, cancellationToken);

    /// <summary>How many runs ended each way (and are still running), counted by the store.</summary>
    public Task<IReadOnlyDictionary<RunOutcome, long>> CountByOutcomeAsync(CancellationToken cancellationToken) =>
        store.CountRunsByOutcomeAsync(cancellationToken);

    public Task<IReadOnlyList<GateDecision>> DecisionsAsync(string runId, CancellationToken cancellationToken) =>
        store.GetDecisionsAsync(runId, cancellationToken);

    /// <summary>The runs of <paramref name="runIds"/> that exist, in that order.</summary>
    public async Task<IReadOnlyList<RunRecord>> GetManyAsync(IEnumerable<string> runIds, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        foreach (var runId in runIds)
        {
            if (await store.GetRunAsync(runId, cancellationToken) is { } run)
            {
                runs.Add(run);
            }
        }
        return runs;
    }
}
