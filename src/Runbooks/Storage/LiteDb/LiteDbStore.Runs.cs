using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using LiteDB;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    private const string LeaseOwnerField = "leaseOwner";
    private const string LeaseUntilField = "leaseUntil";
    private const string VersionField = "version";
    private const string OutcomeField = "outcome";

    /// <summary>
    /// The fenced save (a compare-and-swap), inside the caller's transaction: a run at version 1 (or 0)
    /// is inserted only when its id is new; a later version replaces the stored run only when that one
    /// is at the version before and its lease is held by <paramref name="owner"/> (unleased when null).
    /// The lease fields of the stored document are kept: a save never takes or drops a lease.
    /// </summary>
    private bool TrySaveRun(RunRecord run, string? owner)
    {
        var stored = Runs.FindById(run.Id);
        if (run.Version <= 1)
        {
            if (stored is not null)
            {
                return false;
            }
            Runs.Insert(RunDocument(run, null));
            return true;
        }
        if (stored is null || StoredVersion(stored) != run.Version - 1 || !string.Equals(LeaseOwnerOf(stored), owner, StringComparison.Ordinal))
        {
            return false;
        }
        return Runs.Update(RunDocument(run, stored));
    }

    private BsonDocument RunDocument(RunRecord run, BsonDocument? stored) => new()
    {
        ["_id"] = run.Id,
        ["finished"] = run.IsFinished,
        [OutcomeField] = run.Outcome.ToString(),
        ["startedAt"] = Ticks(run.StartedAt),
        ["savedAt"] = SavedAt(),
        [VersionField] = run.Version,
        [LeaseOwnerField] = stored?[LeaseOwnerField] ?? BsonValue.Null,
        [LeaseUntilField] = stored?[LeaseUntilField] ?? BsonValue.Null,
        [Json] = StoreJson.Write(run),
    };

    /// <summary>The stored version (from the JSON for a document written before the version field).</summary>
    private static int StoredVersion(BsonDocument document) =>
        document[VersionField].IsInt32 ? document[VersionField].AsInt32 : StoreJson.ReadRun(ReadJson(document)).Version;

    private static string? LeaseOwnerOf(BsonDocument document) =>
        document[LeaseOwnerField].IsString ? document[LeaseOwnerField].AsString : null;

    private static DateTimeOffset? LeaseUntilOf(BsonDocument document) =>
        document[LeaseUntilField].IsInt64 ? new DateTimeOffset(document[LeaseUntilField].AsInt64, TimeSpan.Zero) : null;

    /// <summary>The run with its lease from the document's own fields (the JSON's are whatever the last saver had).</summary>
    private static RunRecord ReadRunDocument(BsonDocument document)
    {
        var run = StoreJson.ReadRun(ReadJson(document));
        run.LeaseOwner = LeaseOwnerOf(document);
        run.LeaseUntil = LeaseUntilOf(document);
        return run;
    }

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Run("read run", () =>
        {
            var document = Runs.FindById(runId);
            return document is null ? null : ReadRunDocument(document);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<RunOutcome, long>> CountRunsByOutcomeAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyDictionary<RunOutcome, long>>("count runs", () =>
            Enum.GetValues<RunOutcome>().ToDictionary(outcome => outcome, outcome => (long)Runs.Count(Query.EQ(OutcomeField, outcome.ToString()))), cancellationToken);

    /// <summary>Runs saved before the outcome field get it from their JSON once, so counting reads the index alone.</summary>
    private void FillMissingOutcomes()
    {
        foreach (var document in Runs.Find(Query.EQ(OutcomeField, BsonValue.Null)).ToList())
        {
            document[OutcomeField] = StoreJson.ReadRun(ReadJson(document)).Outcome.ToString();
            Runs.Update(document);
        }
    }

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(bool unfinishedOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<RunRecord>>("list runs", () =>
        {
            var documents = unfinishedOnly ? Runs.Find(Query.EQ("finished", false)) : Runs.FindAll();
            return documents
                .OrderBy(d => d["startedAt"].AsInt64)
                .ThenBy(d => d["_id"].AsString, StringComparer.Ordinal)
                .Select(ReadRunDocument)
                .ToList();
        }, cancellationToken);

    public Task<bool> TryAppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken) =>
        Run("append journal", () => TryInsert(Journal, JournalDocument(entry)), cancellationToken);

    /// <summary>Inside the caller's transaction: inserts the entries not recorded yet (checked first, so no insert fails).</summary>
    private void AppendJournalInTransaction(IReadOnlyList<JournalEntry> entries)
    {
        foreach (var document in entries.Select(JournalDocument))
        {
            if (!Journal.Exists(Query.EQ("key", document["key"])))
            {
                Journal.Insert(document);
            }
        }
    }

    private static BsonDocument JournalDocument(JournalEntry entry) => new()
    {
        ["key"] = $"{entry.RunId}\u001f{entry.StepId}\u001f{entry.Attempt}\u001f{entry.Phase}",
        ["runId"] = entry.RunId,
        [Json] = StoreJson.Write(entry),
    };

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
