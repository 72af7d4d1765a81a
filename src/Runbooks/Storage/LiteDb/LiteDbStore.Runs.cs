using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using LiteDB;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    public Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        Run("save run", () => Runs.Upsert(RunDocument(run)), cancellationToken);

    private BsonDocument RunDocument(RunRecord run) => new()
    {
        ["_id"] = run.Id,
        ["finished"] = run.IsFinished,
        ["startedAt"] = Ticks(run.StartedAt),
        ["savedAt"] = SavedAt(),
        [Json] = StoreJson.Write(run),
    };

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Run("read run", () =>
        {
            var document = Runs.FindById(runId);
            return document is null ? null : StoreJson.ReadRun(ReadJson(document));
        }, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(bool unfinishedOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<RunRecord>>("list runs", () =>
        {
            var documents = unfinishedOnly ? Runs.Find(Query.EQ("finished", false)) : Runs.FindAll();
            return documents
                .OrderBy(d => d["startedAt"].AsInt64)
                .ThenBy(d => d["_id"].AsString, StringComparer.Ordinal)
                .Select(d => StoreJson.ReadRun(ReadJson(d)))
                .ToList();
        }, cancellationToken);

    public Task<bool> TryAppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken) =>
        Run("append journal", () => TryInsert(Journal, new BsonDocument
        {
            ["key"] = $"{entry.RunId}\u001f{entry.StepId}\u001f{entry.Attempt}\u001f{entry.Phase}",
            ["runId"] = entry.RunId,
            [Json] = StoreJson.Write(entry),
        }), cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> GetJournalAsync(string runId, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<JournalEntry>>("read journal", () => Journal
            .Find(Query.EQ("runId", runId))
            .OrderBy(d => d["_id"].AsInt64)
            .Select(d => StoreJson.Read<JournalEntry>(ReadJson(d)))
            .ToList(), cancellationToken);

    public Task<bool> TryRecordDecisionAsync(GateDecision decision, CancellationToken cancellationToken) =>
        Run("record decision", () => TryInsert(Decisions, new BsonDocument
        {
            ["key"] = DecisionKey(decision.RunId, decision.StepId),
            ["runId"] = decision.RunId,
            [Json] = StoreJson.Write(decision),
        }), cancellationToken);

    public Task<GateDecision?> GetDecisionAsync(string runId, string stepId, CancellationToken cancellationToken) =>
        Run("read decision", () =>
        {
            var document = Decisions.FindOne(Query.EQ("key", DecisionKey(runId, stepId)));
            return document is null ? null : StoreJson.Read<GateDecision>(ReadJson(document));
        }, cancellationToken);

    public Task<IReadOnlyList<GateDecision>> GetDecisionsAsync(string runId, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<GateDecision>>("read decisions", () => Decisions
            .Find(Query.EQ("runId", runId))
            .OrderBy(d => d["_id"].AsInt64)
            .Select(d => StoreJson.Read<GateDecision>(ReadJson(d)))
            .ToList(), cancellationToken);

    private static string DecisionKey(string runId, string stepId) => $"{runId}\u001f{stepId}";
}
