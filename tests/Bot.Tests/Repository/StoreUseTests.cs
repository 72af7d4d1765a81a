using System.Text.RegularExpressions;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Repository;

/// <summary>
/// The host reaches runs and incidents through the application services of src/Runbooks, and its
/// outbox and inbound idempotency through the narrow <c>IOutboxStore</c> / <c>IIdempotencyStore</c>.
/// The files listed here still take the whole <c>IDrBotStore</c> (issue 11 moves what they do into
/// services in src/Runbooks): the list may only shrink.
/// </summary>
public sealed partial class StoreUseTests
{
    private static readonly string[] StillTakingTheWholeStore =
    [
        "Alerts/Intake/AlertIntake.cs",
        "Alerts/Intake/AlertIntakeRegistration.cs",
        "Channels/Slack/SlackServiceCollectionExtensions.cs",
        "Channels/Teams/TeamsEndpoints.cs",
        "Preflight/PreflightService.cs",
    ];

    [Fact]
    public void No_file_of_src_Bot_beyond_the_shrinking_list_takes_the_whole_store()
    {
        var bot = Path.Combine(RepoPaths.Root, "src", "Bot");
        var takingIt = Directory.EnumerateFiles(bot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => WholeStore().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(bot, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();

        var added = takingIt.Except(StillTakingTheWholeStore, StringComparer.Ordinal).ToList();

        Assert.True(added.Count == 0,
            "These files of src/Bot take IDrBotStore; use an application service of src/Runbooks (IncidentService, RunQueries, "
            + "RunbookService) or IOutboxStore / IIdempotencyStore instead:\n" + string.Join('\n', added));
    }

    [GeneratedRegex(@"\bIDrBotStore\b")]
    private static partial Regex WholeStore();
}
