using System.Globalization;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Audit;

/// <summary>
/// <c>dotnet run --project src/Bot -- audit verify|export [--from X] [--to Y]</c>: verifies the chain
/// (with the configured key and the newest checkpoint; exit code 0 intact, 1 broken, 2 bad usage) or
/// writes it as JSON lines to standard output. X and Y are entry numbers or ISO times.
/// </summary>
public static class AuditCli
{
    public const string Usage = "Usage: audit verify | audit export [--from <entry number or ISO time>] [--to <entry number or ISO time>]";

    public static bool Matches(string[] args) => args.Length > 0 && args[0] == "audit";

    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var audit = services.GetRequiredService<AuditLog>();
        if (args is ["audit", "verify"])
        {
            var path = AuditCheckpointWriter.CheckpointPath(services.GetRequiredService<IOptions<DrBotOptions>>().Value, services.GetRequiredService<IConfiguration>());
            var checkpoint = await AuditCheckpoints.LatestAsync(path, cancellationToken);
            var result = await audit.VerifyAsync(cancellationToken, checkpoint);
            await (result.Valid ? output : error).WriteLineAsync(Describe(result, audit.IsKeyed, checkpoint));
            return result.Valid ? 0 : 1;
        }
        if (args.Length >= 2 && args[1] == "export" && Range(args.Skip(2).ToArray()) is { } include)
        {
            await using var stdout = Console.OpenStandardOutput();
            await audit.ExportJsonLinesAsync(stdout, cancellationToken, include);
            return 0;
        }
        await error.WriteLineAsync(Usage);
        return 2;
    }

    public static string Describe(AuditVerification result, bool keyed, AuditCheckpoint? checkpoint) =>
        (result.Valid ? "Audit chain intact: " : "Audit chain BROKEN: ") + result.Problem
        + (keyed ? " (keyed with DrBot:Audit:Key)" : " (unkeyed: set DrBot:Audit:Key so nobody without the key can rewrite it)")
        + (checkpoint is null ? "; no checkpoint to compare with." : $"; checked against the checkpoint of {checkpoint.At:O} ({checkpoint.Count} entries).");

    private static Func<AuditEntry, bool>? Range(string[] options)
    {
        Func<AuditEntry, bool> include = _ => true;
        for (var i = 0; i < options.Length; i += 2)
        {
            if (i + 1 >= options.Length || options[i] is not ("--from" or "--to"))
                return null;
            var from = options[i] == "--from";
            var value = options[i + 1];
            var previous = include;
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                include = e => previous(e) && (from ? e.Sequence >= sequence : e.Sequence <= sequence);
            else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                include = e => previous(e) && (from ? e.At >= at : e.At <= at);
            else
                return null;
        }
        return include;
    }
}
