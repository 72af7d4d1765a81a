using DrBot.Bot.Drills;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Validation;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Validation;

/// <summary>
/// <c>validate backup-restore|data-consistency</c> (and the schedule's Start): runs the validation
/// against the configured PostgreSQL of the primary (and replica) region, archives the result as an
/// exercise and posts its card. The chat answer is immediate; the restore runs in the background.
/// </summary>
public sealed partial class ValidationService(
    ExerciseArchive archive,
    CardPublisher publisher,
    IOptions<DrBotOptions> options,
    IOptions<ValidationOptions> validation,
    TimeProvider time,
    IServiceProvider services,
    ILogger<ValidationService> logger) : IValidationStarter
{
    public async Task<(bool Ok, string Message, ExerciseRecord? Record)> StartAsync(string kind, Actor actor, CancellationToken cancellationToken)
    {
        var (record, problem) = await CreateAsync(kind, actor, cancellationToken);
        if (record is null)
            return (false, problem!, null);
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        _ = Task.Run(async () =>
        {
            try
            {
                await CompleteAsync(record, stopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex, record.Id);
            }
        }, stopping);
        return (true, $"{kind} {record.Id} started by {actor.DisplayName}; the result is posted on its card.", record);
    }

    /// <summary>Runs the validation to the end (the tests and the background task).</summary>
    public async Task<(bool Ok, string Message, ExerciseRecord? Record)> RunAsync(string kind, Actor actor, CancellationToken cancellationToken)
    {
        var (record, problem) = await CreateAsync(kind, actor, cancellationToken);
        if (record is null)
            return (false, problem!, null);
        await CompleteAsync(record, cancellationToken);
        return (true, $"{kind} {record.Id} {record.Status.ToString().ToLowerInvariant()}.", record);
    }

    private async Task<(ExerciseRecord? Record, string? Problem)> CreateAsync(string kind, Actor actor, CancellationToken cancellationToken)
    {
        if (!ExerciseKinds.Validations.Contains(kind))
            return (null, $"'{kind}' is not a validation (valid: {string.Join(", ", ExerciseKinds.Validations)}).");
        var primary = validation.Value.PrimaryRegion ?? RegionWithRole(RegionRoles.Primary);
        var replica = validation.Value.ReplicaRegion ?? RegionWithRole(RegionRoles.Secondary);
        var needed = kind == ExerciseKinds.DataConsistency ? new[] { primary, replica } : [primary];
        foreach (var region in needed)
            if (region is null || string.IsNullOrWhiteSpace(ConnectionString(region)))
                return (null, $"{kind} needs a real PostgreSQL: set DrBot:Regions:{region ?? "<region>"}:Database:ConnectionString (and DrBot:Validation:Tables).");
        if (validation.Value.Tables.Count == 0)
            return (null, $"{kind} compares the tables named in DrBot:Validation:Tables (schema.table); none is configured.");
        var record = new ExerciseRecord
        {
            Id = await archive.NextIdAsync(cancellationToken), Kind = kind, Region = primary, Mode = "live", StartedBy = actor.ToString(),
            StartedAt = time.GetUtcNow(), Status = ExerciseStatus.Running, Tier = validation.Value.Tier,
        };
        record.Facts["replica"] = replica ?? "";
        await archive.SaveAsync(record, cancellationToken);
        return (record, null);
    }

    private async Task CompleteAsync(ExerciseRecord record, CancellationToken cancellationToken)
    {
        var settings = validation.Value;
        var outcome = record.Kind == ExerciseKinds.BackupRestore
            ? await new BackupRestoreValidator(settings, time).RunAsync(ConnectionString(record.Region!)!, ConnectionString(record.Facts["replica"]), Rto(settings.Tier), cancellationToken)
            : await new DataConsistencyValidator(settings, time).RunAsync(ConnectionString(record.Region!)!, ConnectionString(record.Facts["replica"])!, cancellationToken);
        record.Criteria = [.. outcome.Criteria];
        record.Notes.AddRange(outcome.Notes);
        record.Status = outcome.Passed ? ExerciseStatus.Passed : ExerciseStatus.Failed;
        record.EndedAt = time.GetUtcNow();
        await archive.SaveAsync(record, cancellationToken);
        await publisher.PostAsync($"{DrillCards.PostKey(record.Id)}:result", DrillCards.Result(record), cancellationToken);
    }

    private TimeSpan Rto(string tier) => new TierPolicy(options.Value).Find(tier)?.Rto ?? TimeSpan.FromMinutes(15);

    private string? RegionWithRole(string role) => options.Value.Regions.FirstOrDefault(r => r.Value.Role == role).Key;

    private string? ConnectionString(string region) =>
        options.Value.Regions.TryGetValue(region, out var r) ? r.Database.ConnectionString : null;

    [LoggerMessage(EventId = HostLogEvents.ValidationFailed, Level = LogLevel.Error, Message = "Validation {ExerciseId} failed to complete")]
    private partial void LogFailed(Exception ex, string exerciseId);
}
