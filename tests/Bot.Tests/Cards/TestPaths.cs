namespace DrBot.Bot.Tests.Cards;

/// <summary>Finds the repository and the shared schemas from wherever the test assembly runs.</summary>
public static class TestPaths
{
    public const string AdaptiveCardSchema = "shared/schemas/adaptive-card-1.5.schema.json";

    /// <summary>The clone's root: the first folder above the test assembly that holds DrBot.sln.</summary>
    public static string RepositoryRoot() =>
        FindUpwards(dir => File.Exists(Path.Combine(dir, "DrBot.sln")))
        ?? throw new InvalidOperationException($"No DrBot.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");

    /// <summary>
    /// The shared Adaptive Card 1.5 schema. It lives in <c>shared/schemas/</c> beside the clone (CI
    /// clones into a folder with <c>shared/</c> next to it), so look in every folder above the tests.
    /// </summary>
    public static string AdaptiveCardSchemaFile()
    {
        var dir = FindUpwards(dir => File.Exists(Path.Combine(dir, AdaptiveCardSchema)))
            ?? throw new InvalidOperationException(
                $"The Adaptive Card schema '{AdaptiveCardSchema}' was not found in any folder above {AppContext.BaseDirectory}. " +
                "Put the shared/ folder beside the clone (<clone>/../shared/schemas/).");
        return Path.Combine(dir, AdaptiveCardSchema);
    }

    private static string? FindUpwards(Func<string, bool> matches)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (matches(dir.FullName))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
