using Npgsql;

namespace DrBot.Runbooks.Storage.Postgres;

/// <summary>
/// The schema as numbered migrations. Each runs once, in order, in one transaction that first takes
/// a transaction-scoped advisory lock: two replicas starting together queue on the lock, and the
/// second finds the versions already recorded. Never edit a shipped migration; add the next number.
/// Times are stored as UTC ticks (bigint), the same resolution as <see cref="DateTimeOffset"/>, so a
/// lease or due time compares exactly as it does in memory. Records are JSON text in <see cref="StoreJson"/>'s format.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>Advisory lock key of the migration step ("DrBotMig" in ASCII).</summary>
    private const long MigrationLockKey = 0x4472426F744D6967;

    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> All =
    [
        (1, "initial schema", """
            CREATE TABLE drbot_runs (
                id text PRIMARY KEY,
                finished boolean NOT NULL,
                started_at bigint NOT NULL,
                saved_at bigint NOT NULL,
                lease_owner text NULL,
                lease_until bigint NULL,
                json text NOT NULL);
            CREATE INDEX drbot_runs_unfinished ON drbot_runs (started_at, id) WHERE NOT finished;

            CREATE TABLE drbot_journal (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                run_id text NOT NULL,
                step_id text NOT NULL,
                attempt integer NOT NULL,
                phase text NOT NULL,
                json text NOT NULL,
                CONSTRAINT drbot_journal_once UNIQUE (run_id, step_id, attempt, phase));

            CREATE TABLE drbot_decisions (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                run_id text NOT NULL,
                step_id text NOT NULL,
                json text NOT NULL,
                CONSTRAINT drbot_decisions_one_per_gate UNIQUE (run_id, step_id));

            CREATE TABLE drbot_incidents (
                id text PRIMARY KEY,
                open boolean NOT NULL,
                opened_at bigint NOT NULL,
                saved_at bigint NOT NULL,
                version integer NOT NULL,
                json text NOT NULL);

            CREATE TABLE drbot_sequences (
                name text PRIMARY KEY,
                value bigint NOT NULL);

            CREATE TABLE drbot_timers (
                id text PRIMARY KEY,
                due_at bigint NOT NULL,
                lease_owner text NULL,
                lease_until bigint NULL,
                json text NOT NULL);
            CREATE INDEX drbot_timers_due ON drbot_timers (due_at, id);

            CREATE TABLE drbot_outbox (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                channel text NOT NULL,
                delivered boolean NOT NULL,
                next_attempt_at bigint NULL,
                lease_owner text NULL,
                lease_until bigint NULL,
                json text NOT NULL);
            CREATE INDEX drbot_outbox_undelivered ON drbot_outbox (channel, seq) WHERE NOT delivered;

            CREATE TABLE drbot_post_references (
                channel text NOT NULL,
                post_key text NOT NULL,
                json text NOT NULL,
                PRIMARY KEY (channel, post_key));

            CREATE TABLE drbot_audit (
                seq bigint PRIMARY KEY,
                json text NOT NULL);

            CREATE TABLE drbot_idempotency_keys (
                key text PRIMARY KEY,
                at bigint NOT NULL);

            CREATE TABLE drbot_values (
                key text PRIMARY KEY,
                value text NOT NULL);
            """),
        (2, "card coalescing and retention", """
            ALTER TABLE drbot_outbox ADD COLUMN card_key text NULL;
            CREATE INDEX drbot_outbox_pending_cards ON drbot_outbox (card_key, seq) WHERE NOT delivered AND card_key IS NOT NULL;
            -- Messages delivered before this version carry no time: they count as delivered long ago.
            ALTER TABLE drbot_outbox ADD COLUMN delivered_at bigint NULL;
            UPDATE drbot_outbox SET delivered_at = 0 WHERE delivered;
            CREATE INDEX drbot_outbox_delivered_at ON drbot_outbox (delivered_at) WHERE delivered;
            CREATE INDEX drbot_idempotency_keys_at ON drbot_idempotency_keys (at);
            ALTER TABLE drbot_values ADD COLUMN expires_at bigint NULL;
            CREATE INDEX drbot_values_expiring ON drbot_values (expires_at) WHERE expires_at IS NOT NULL;
            """),
        (3, "run version column for fenced saves", """
            ALTER TABLE drbot_runs ADD COLUMN version integer NOT NULL DEFAULT 0;
            UPDATE drbot_runs SET version = COALESCE((json::jsonb ->> 'Version')::integer, 0);
            """),
    ];

    /// <summary>Applies every migration not yet recorded; safe to call from several replicas at once.</summary>
    public static async Task<int> ApplyAsync(NpgsqlConnection connection, long appliedAtTicks, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken);
        await Execute(connection, """
            CREATE TABLE IF NOT EXISTS drbot_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at bigint NOT NULL)
            """, cancellationToken);
        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM drbot_schema_migrations", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }
        var count = 0;
        foreach (var (version, name, sql) in All.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
        {
            await Execute(connection, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO drbot_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", connection);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            record.Parameters.Add(new NpgsqlParameter { Value = name });
            record.Parameters.Add(new NpgsqlParameter { Value = appliedAtTicks });
            await record.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
