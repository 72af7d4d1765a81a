using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using Npgsql;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    // The lease lives in its own columns, never overwritten by a save: the JSON's lease fields are
    // replaced by the columns on read, so a replica saving its copy cannot steal or drop a lease.
    // The version has a column too, so a save can compare it (TrySaveRunAsync).
    private const string RunColumns = "json, lease_owner, lease_until";

    /// <summary>
    /// The fenced save (a compare-and-swap): a run at version 1 (or 0) is inserted only when its id is
    /// new; a later version replaces the stored run only when that one is at the version before and its
    /// lease is held by <paramref name="owner"/> (unleased when <paramref name="owner"/> is null).
    /// False when the fence does not hold: another replica took the run over, or wrote it first.
    /// </summary>
    private static async Task<bool> TrySaveRunAsync(NpgsqlConnection connection, RunRecord run, string? owner, long savedAt, CancellationToken cancellationToken) =>
        run.Version <= 1
            ? await Execute(connection, cancellationToken, """
                INSERT INTO drbot_runs (id, finished, started_at, saved_at, version, json) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO NOTHING
                """, run.Id, run.IsFinished, Ticks(run.StartedAt), savedAt, run.Version, StoreJson.Write(run)) == 1
            : await Execute(connection, cancellationToken, """
                UPDATE drbot_runs SET finished = $2, saved_at = $3, version = $4, json = $5
                WHERE id = $1 AND version = $4 - 1 AND lease_owner IS NOT DISTINCT FROM $6
                """, run.Id, run.IsFinished, savedAt, run.Version, StoreJson.Write(run), owner) == 1;

    /// <summary>
    /// Whether every run of a commit is stored exactly as the commit writes it: the answer to "did the
    /// commit whose acknowledgement was lost land?" before it is sent again (this writer holds the
    /// lease, so nobody else wrote that version).
    /// </summary>
    private static async Task<bool> RunsStoredAsync(NpgsqlConnection connection, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken)
    {
        foreach (var run in runs)
        {
            var stored = await QueryJson(connection, cancellationToken, "SELECT json FROM drbot_runs WHERE id = $1 AND version = $2", run.Id, run.Version);
            if (!string.Equals(stored, StoreJson.Write(run), StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Run("read run", async connection => (await Query(connection, cancellationToken, ReadRun,
            $"SELECT {RunColumns} FROM drbot_runs WHERE id = $1", runId)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(bool unfinishedOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<RunRecord>>("list runs", async connection => await Query(connection, cancellationToken, ReadRun,
            $"SELECT {RunColumns} FROM drbot_runs WHERE NOT finished OR NOT $1 ORDER BY started_at, id COLLATE \"C\"", unfinishedOnly), cancellationToken);

    public Task<IReadOnlyDictionary<RunOutcome, long>> CountRunsByOutcomeAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyDictionary<RunOutcome, long>>("count runs", async connection =>
        {
            // Only finished runs' JSON is read (on the server): unfinished ones are counted by the column.
            var rows = await Query(connection, cancellationToken, r => (Outcome: r.GetString(0), Count: r.GetInt64(1)),
                "SELECT CASE WHEN finished THEN json::jsonb->>'Outcome' ELSE 'None' END, count(*) FROM drbot_runs GROUP BY 1");
            var counts = Enum.GetValues<RunOutcome>().ToDictionary(outcome => outcome, _ => 0L);
            foreach (var (outcome, count) in rows)
            {
                counts[Enum.Parse<RunOutcome>(outcome)] += count;
            }
            return counts;
        }, cancellationToken);

    public Task<bool> TryLeaseRunAsync(string runId, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run("lease run", async connection => await Execute(connection, cancellationToken, """
            UPDATE drbot_runs SET lease_owner = $2, lease_until = $3
            WHERE id = $1 AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= $4 OR lease_owner = $2)
            """, runId, owner, Ticks(until), Ticks(now)) == 1, cancellationToken);

    public Task<bool> TryRenewRunLeaseAsync(string runId, string owner, DateTimeOffset until, CancellationToken cancellationToken) =>
        Run("renew run lease", async connection => await Execute(connection, cancellationToken,
            "UPDATE drbot_runs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2", runId, owner, Ticks(until)) == 1, cancellationToken);

    public Task ReleaseRunLeaseAsync(string runId, string owner, CancellationToken cancellationToken) =>
        Run("release run lease", connection => Execute(connection, cancellationToken,
            "UPDATE drbot_runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2", runId, owner), cancellationToken);

    public Task<bool> TryAppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken) =>
        Run("append journal", connection => TryInsert(connection, cancellationToken,
            "INSERT INTO drbot_journal (run_id, step_id, attempt, phase, json) VALUES ($1, $2, $3, $4, $5)",
            entry.RunId, entry.StepId, entry.Attempt, entry.Phase.ToString(), StoreJson.Write(entry)), cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> GetJournalAsync(string runId, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<JournalEntry>>("read journal", async connection => await Query(connection, cancellationToken,
            r => StoreJson.Read<JournalEntry>(r.GetString(0)), "SELECT json FROM drbot_journal WHERE run_id = $1 ORDER BY seq", runId), cancellationToken);

    public Task<bool> TryRecordDecisionAsync(GateDecision decision, CancellationToken cancellationToken) =>
        Run("record decision", connection => TryInsert(connection, cancellationToken,
            "INSERT INTO drbot_decisions (run_id, step_id, json) VALUES ($1, $2, $3)",
            decision.RunId, decision.StepId, StoreJson.Write(decision)), cancellationToken);

    public Task<GateDecision?> GetDecisionAsync(string runId, string stepId, CancellationToken cancellationToken) =>
        Run("read decision", async connection =>
        {
            var json = await QueryJson(connection, cancellationToken, "SELECT json FROM drbot_decisions WHERE run_id = $1 AND step_id = $2", runId, stepId);
            return json is null ? null : StoreJson.Read<GateDecision>(json);
        }, cancellationToken);

    public Task<IReadOnlyList<GateDecision>> GetDecisionsAsync(string runId, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<GateDecision>>("read decisions", async connection => await Query(connection, cancellationToken,
            r => StoreJson.Read<GateDecision>(r.GetString(0)), "SELECT json FROM drbot_decisions WHERE run_id = $1 ORDER BY seq", runId), cancellationToken);

    private static RunRecord ReadRun(NpgsqlDataReader reader)
    {
        var run = StoreJson.ReadRun(reader.GetString(0));
        run.LeaseOwner = NullableString(reader, 1);
        run.LeaseUntil = FromTicks(reader, 2);
        return run;
    }

    /// <summary>Inserts, answering false when a unique constraint already holds the key (the idempotency rule).</summary>
    private static async Task<bool> TryInsert(NpgsqlConnection connection, CancellationToken cancellationToken, string sql, params object?[] args)
    {
        try
        {
            await Execute(connection, cancellationToken, sql, args);
            return true;
        }
        catch (PostgresException ex) when (IsUniqueViolation(ex))
        {
            return false;
        }
    }
}
