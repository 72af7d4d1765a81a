namespace DrBot.Bot.Tests.Support;

/// <summary>Where things are: the repository root (holds DrBot.sln) and the shared schemas beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Debug" or "Release": the configuration these tests were built with, so the bot under test matches.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string BotDll => Path.Combine(Root, "src", "Bot", "bin", Configuration, "net10.0", "DrBot.Bot.dll");

    public static string Artifacts
    {
        get
        {
            var dir = Path.Combine(Root, "artifacts", "test-output");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DrBot.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"DrBot.sln not found above {AppContext.BaseDirectory}");
    }
}
