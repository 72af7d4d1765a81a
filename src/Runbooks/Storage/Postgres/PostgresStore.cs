using System.Data.Common;
using DrBot.Runbooks.Resilience;
using Npgsql;
using Polly;

namespace DrBot.Runbooks.Storage.Postgres;

/// <summary>
/// The shared store for several bot replicas: PostgreSQL through Npgsql. Records are JSON text in
/// <see cref="StoreJson"/>'s format beside the few columns that are indexed, claimed or compared.
/// Idempotency comes from unique constraints (a unique violation answers false); claims use row
/// locks with <c>SKIP LOCKED</c> and leases; audit appends are serialised by an advisory lock.
/// Transient faults are retried a few times; after that, or when the server cannot be reached,
/// calls throw <see cref="StoreUnavailableException"/> so the bot refuses instead of acting unrecorded.
/// The schema is migrated on first use (and at start by <see cref="MigrateAsync"/>).
/// </summary>
public sealed partial class PostgresStore : IDrBotStore, IDisposable, IAsyncDisposable
{
    /// <summary>Three more attempts after the first, 100 ms apart doubling (on the store's clock).</summary>
    internal static readonly RetrySettings Retries = new(3, TimeSpan.FromMilliseconds(100));

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly string _where;
    private readonly SemaphoreSlim _migrateGate = new(1, 1);
    private volatile bool _migrated;

    public PostgresStore(string connectionString, TimeProvider time)
        : this(connectionString, time, TimeProvider.System)
    {
    }

    /// <param name="connectionString">The shared database.</param>
    /// <param name="time">The domain's clock: timestamps, leases, claims.</param>
    /// <param name="retryWaits">
    /// The clock the waits between retries run on: the real one, so that a test's fake domain clock
    /// never freezes a retry; a test that looks at the waits passes its own.
    /// </param>
    public PostgresStore(string connectionString, TimeProvider time, TimeProvider retryWaits)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException(
                "DrBot:Store:Postgres:ConnectionString is empty; with DrBot:Store:Provider = Postgres it must name the shared database, e.g. Host=db;Database=drbot;Username=drbot;Password=….",
                nameof(connectionString));
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"DrBot:Store:Postgres:ConnectionString is not a valid Npgsql connection string: {ex.Message}", nameof(connectionString), ex);
        }
        _time = time;
        _retry = ClassifiedRetry.ForExceptions(Retries, ex => Classify(ex, CancellationToken.None), retryWaits);
        // Host and database only: the connection string may hold a password, which is never shown.
        _where = $"{builder.Host}:{builder.Port}/{builder.Database}";
        // The store keeps no session state (its advisory locks are transaction-scoped), so a pooled
        // session needs no DISCARD ALL when returned, and its few statements, run on every click and
        // commit, are prepared once per session instead of parsed and planned each time.
        builder.NoResetOnClose = true;
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }
        _source = NpgsqlDataSource.Create(builder);
    }

    /// <summary>Applies pending schema migrations; returns how many ran. Safe from several replicas at once.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrateGate.WaitAsync(cancellationToken);
        try
        {
            var count = await WithRetries("migrate schema",
                connection => PostgresMigrations.ApplyAsync(connection, _time.GetUtcNow().UtcTicks, cancellationToken), cancellationToken);
            _migrated = true;
            return count;
        }
        finally
        {
            _migrateGate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on an open connection, migrating first if needed, retrying transient faults.</summary>
    private async Task<T> Run<T>(string operation, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken);
        }
        return await WithRetries(operation, work, cancellationToken);
    }

    private Task Run(string operation, Func<NpgsqlConnection, Task> work, CancellationToken cancellationToken) =>
        Run(operation, async connection => { await work(connection); return true; }, cancellationToken);

    private async Task<T> WithRetries<T>(string operation, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            // A dropped connection, a failover, a serialization failure: worth another go shortly.
            return await _retry.ExecuteAsync(async token =>
            {
                await using var connection = await _source.OpenConnectionAsync(token);
                return await work(connection);
            }, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFault(ex, cancellationToken))
        {
            throw new StoreUnavailableException(
                $"The PostgreSQL store at {_where} is unavailable ({operation} failed: {ex.Message}). " +
                "Check that the server is up and reachable and that DrBot:Store:Postgres:ConnectionString is right.", ex);
        }
    }

    private static RetryVerdict Classify(Exception ex, CancellationToken cancellationToken) =>
        IsTransient(ex, cancellationToken) ? RetryVerdict.Retry() : RetryVerdict.Permanent;

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static bool IsStoreFault(Exception ex, CancellationToken cancellationToken) =>
        ex is NpgsqlException or TimeoutException or DbException or System.Text.Json.JsonException or System.Net.Sockets.SocketException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static bool IsUniqueViolation(PostgresException ex) => ex.SqlState == PostgresErrorCodes.UniqueViolation;

    // Small helpers over positional parameters ($1, $2 …); null becomes SQL NULL.
    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }
        return command;
    }

    private static async Task<int> Execute(NpgsqlConnection connection, CancellationToken cancellationToken, string sql, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<T>> Query<T>(NpgsqlConnection connection, CancellationToken cancellationToken, Func<NpgsqlDataReader, T> read, string sql, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private static async Task<string?> QueryJson(NpgsqlConnection connection, CancellationToken cancellationToken, string sql, params object?[] args) =>
        (await Query(connection, cancellationToken, r => r.GetString(0), sql, args)).FirstOrDefault();

    private static long Ticks(DateTimeOffset at) => at.UtcTicks;

    private static DateTimeOffset? FromTicks(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private long SavedAt() => _time.GetUtcNow().UtcTicks;

    public void Dispose()
    {
        _source.Dispose();
        _migrateGate.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        _migrateGate.Dispose();
    }
}
