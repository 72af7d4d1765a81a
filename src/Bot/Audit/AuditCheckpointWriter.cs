using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Audit;

/// <summary>
/// Writes a signed checkpoint of the audit chain every <c>DrBot:Audit:CheckpointEvery</c> entries
/// (over exactly N, 2N … entries; the chain is read every 10 s) and at shutdown, to a second place: the checkpoint file and the log. <c>audit verify</c> compares
/// the chain with the newest one, which is what makes a cut tail visible.
/// </summary>
public sealed partial class AuditCheckpointWriter(
    AuditLog audit,
    IAuditStore store,
    IOptions<DrBotOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<AuditCheckpointWriter> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
    private long _lastCount = -1;

    public string FilePath { get; } = CheckpointPath(options.Value, configuration);

    public static string CheckpointPath(DrBotOptions options, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(options.Audit.CheckpointPath))
            return Path.GetFullPath(options.Audit.CheckpointPath);
        var store = configuration["DrBot:Store:LiteDb:Path"] ?? "data/drbot.db";
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(store))!, "audit-checkpoints.jsonl");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = Math.Max(1, options.Value.Audit.CheckpointEvery);
        _lastCount = (await AuditCheckpoints.LatestAsync(FilePath, stoppingToken))?.Count ?? 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WriteDueAsync(await store.ReadAuditAsync(stoppingToken), every, stoppingToken);
                await Task.Delay(Poll, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException ex)
            {
                LogFailed(ex);
                await Task.Delay(Poll, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if ((await store.ReadAuditAsync(cancellationToken)).Count != _lastCount)
                await WriteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or IOException)
        {
            LogFailed(ex);
        }
    }

    /// <summary>
    /// One checkpoint per multiple of <paramref name="every"/> reached since the last one, each over exactly
    /// that many entries (entries 1–N, 1–2N …), however many arrived between two polls.
    /// </summary>
    private async Task WriteDueAsync(IReadOnlyList<AuditEntry> entries, int every, CancellationToken cancellationToken)
    {
        for (var next = (_lastCount / every + 1) * every; next <= entries.Count; next += every)
            await WriteAsync(audit.Checkpoint(entries.Take((int)next).ToList()), cancellationToken);
    }

    public async Task<AuditCheckpoint> WriteAsync(CancellationToken cancellationToken) =>
        await WriteAsync(await audit.CheckpointAsync(cancellationToken), cancellationToken);

    private async Task<AuditCheckpoint> WriteAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await AuditCheckpoints.AppendAsync(FilePath, checkpoint, cancellationToken);
        _lastCount = checkpoint.Count;
        LogCheckpoint(checkpoint.Count, checkpoint.HeadHash, checkpoint.At, checkpoint.Signature);
        return checkpoint;
    }

    [LoggerMessage(EventId = HostLogEvents.AuditCheckpointWritten, Level = LogLevel.Information, Message = "Audit checkpoint: {Count} entries, head {HeadHash}, at {At:O}, signature {Signature}")]
    private partial void LogCheckpoint(long count, string headHash, DateTimeOffset at, string signature);

    [LoggerMessage(EventId = HostLogEvents.AuditCheckpointFailed, Level = LogLevel.Warning, Message = "Audit checkpoint not written")]
    private partial void LogFailed(Exception ex);
}
