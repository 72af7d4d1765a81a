using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

/// <summary>
/// The embedded store: one LiteDB file. Each record is kept as JSON text (<see cref="StoreJson"/>)
/// beside the few key fields that are indexed or queried. Unique indexes enforce idempotency; one
/// in-process gate makes every read-modify-write (claims, sequences, audit appends) atomic for
/// concurrent callers; callers wait for it asynchronously, so a queue of clicks does not hold a
/// thread-pool thread each (on 2 cores a few blocked threads stall everything else for seconds). The file is opened exclusively: one bot process per file.
/// </summary>
public sealed partial class LiteDbStore : IDrBotStore, IDisposable
{
    private const string Json = "json";

    private LiteDatabase _db;
    private readonly FileStream _ownership;
    private readonly TimeProvider _time;
    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    public LiteDbStore(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _time = time;
        _path = Path.GetFullPath(path);
        try
        {
            var directory = Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            // LiteDB does not stop a second engine on the same file, which would corrupt it: an
            // exclusive lock file beside it makes a second store (in this or another process) fail fast.
            _ownership = new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            try
            {
                _db = OpenEngine();
                EnsureIndexes();
                ClearLeasesLeftByEarlierProcesses();
            }
            catch
            {
                _ownership.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (IsStoreFault(ex))
        {
            throw Unavailable("open", ex);
        }
    }

    /// <summary>The full path of the data file.</summary>
    public string FilePath => _path;

    private LiteDatabase OpenEngine() => new(new ConnectionString { Filename = _path, Connection = ConnectionType.Direct });

    /// <summary>
    /// LiteDB 5 keeps every page it ever cached until the engine is disposed (its page cache has no
    /// limit and never shrinks: litedb-org/LiteDB#2813), so a bot that runs for months would hold the
    /// most of its file it ever touched. Called by retention after each pass, inside the store's gate:
    /// the engine is closed (everything committed is in the file) and opened again with an empty cache.
    /// </summary>
    private void ReleasePageCache()
    {
        _db.Dispose();
        _db = OpenEngine();
    }

    private void EnsureIndexes()
    {
        Journal.EnsureIndex("key", unique: true);
        Journal.EnsureIndex("runId");
        Decisions.EnsureIndex("key", unique: true);
        Decisions.EnsureIndex("runId");
        Runs.EnsureIndex("finished");
        Runs.EnsureIndex(OutcomeField);
        FillMissingOutcomes();
        Incidents.EnsureIndex("open");
        Timers.EnsureIndex("dueAt");
        Outbox.EnsureIndex("delivered");
        Outbox.EnsureIndex(DeliveredAtField);
        Values.EnsureIndex(ExpiresAtField);
        // Each channel's queue is kept in memory (OutboxQueues), so an index on the channel would only
        // cost every enqueue an index insert; files from before keep one until this drops it.
        Outbox.DropIndex("channel");
    }

    private ILiteCollection<BsonDocument> Runs => _db.GetCollection("runs");
    private ILiteCollection<BsonDocument> Journal => _db.GetCollection("journal", BsonAutoId.Int64);
    private ILiteCollection<BsonDocument> Decisions => _db.GetCollection("decisions", BsonAutoId.Int64);
    private ILiteCollection<BsonDocument> Incidents => _db.GetCollection("incidents");
    private ILiteCollection<BsonDocument> Sequences => _db.GetCollection("sequences");
    private ILiteCollection<BsonDocument> Timers => _db.GetCollection("timers");
    private ILiteCollection<BsonDocument> Outbox => _db.GetCollection("outbox", BsonAutoId.Int64);
    private ILiteCollection<BsonDocument> PostReferences => _db.GetCollection("post_references");
    private ILiteCollection<BsonDocument> Audit => _db.GetCollection("audit");
    private ILiteCollection<BsonDocument> IdempotencyKeys => _db.GetCollection("idempotency_keys");
    private ILiteCollection<BsonDocument> Values => _db.GetCollection("values");

    /// <summary>Runs <paramref name="work"/> under the store's lock, turning file faults into <see cref="StoreUnavailableException"/>.</summary>
    private async Task<T> Run<T>(string operation, Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_disposed)
            {
                throw new StoreUnavailableException($"The LiteDB store at '{_path}' is closed ({operation} refused).");
            }
            return work();
        }
        catch (Exception ex) when (IsStoreFault(ex))
        {
            throw Unavailable(operation, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task Run(string operation, Action work, CancellationToken cancellationToken) =>
        Run(operation, () => { work(); return true; }, cancellationToken);

    /// <summary>Inserts, answering false when a unique index already holds the key (the idempotency rule).</summary>
    private static bool TryInsert(ILiteCollection<BsonDocument> collection, BsonDocument document)
    {
        try
        {
            collection.Insert(document);
            return true;
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            return false;
        }
    }

    private static bool IsStoreFault(Exception ex) =>
        ex is LiteException or IOException or UnauthorizedAccessException or InvalidCastException or System.Text.Json.JsonException;

    private StoreUnavailableException Unavailable(string operation, Exception ex) =>
        new($"The LiteDB store at '{_path}' is unavailable ({operation} failed: {ex.Message}). " +
            "Check that no other DrBot process holds the file, that the disk is writable, and that the file is not corrupt.", ex);

    private static long Ticks(DateTimeOffset at) => at.UtcTicks;

    /// <summary>When a record was last written, for whoever opens the file to investigate.</summary>
    private long SavedAt() => _time.GetUtcNow().UtcTicks;

    private static string ReadJson(BsonDocument document) => document[Json].AsString;

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _db.Dispose();
            _ownership.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
