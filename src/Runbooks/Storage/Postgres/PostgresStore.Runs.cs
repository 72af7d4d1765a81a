using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using Npgsql;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    // The lease lives in its own columns, never overwritten by a save: the JSON's lease fields are
    // replaced by the columns on read, so a replica saving its copy cannot steal or drop a lease.
    private const string RunColumns = "json, lease_owner, lease_until";

    public Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        Run("save run", connection => SaveRunAsync(connection, run, cancellationToken), cancellationToken);

    private Task<int> SaveRunAsync(NpgsqlConnection connection, RunRecord run, CancellationToken cancellationToken) =>
        Execute(connection, cancellationToken, """
            INSERT INTO drbot_runs (id, finished, started_at, saved_at, json) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO UPDATE SET finished = EXCLUDED.finished, saved_at = EXCLUDED.saved_at, json = EXCLUDED.json
            """, run.Id, run.IsFinished, Ticks(run.StartedAt), SavedAt(), StoreJson.Write(run));

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Run("read run", async connection => (await Query(connection, cancellationToken, ReadRun,
            $"SELECT {RunColumns} FROM drbot_runs WHERE id = $1", runId)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(bool unfinishedOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<RunRecord>>("list runs", async connection => await Query(connection, cancellationToken, ReadRun,
            $"SELECT {RunColumns} FROM drbot_runs WHERE NOT finished OR NOT $1 ORDER BY started_at, id COLLATE \"C\"", unfinishedOnly), cancellationToken);

    public Task<bool> TryLeaseRunAsync(string runId, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run("lease run", async connection => await Execute(connection, cancellationToken, """
            UPDATE drbot_runs SET lease_owner = $2, lease_until = $3
            WHERE id = $1 AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= $4 OR lease_owner = $2)
            """, runId, owner, Ticks(until), Ticks(now)) == 1, cancellationToken);

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
