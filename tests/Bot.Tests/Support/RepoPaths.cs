namespace DrBot.Bot.Tests.Support;

/// <summary>Where things are: the repository root (holds DrBot.sln) and the files tests read inside it. Nothing outside the clone.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Debug" or "Release": the configuration these tests were built with, so the bot under test matches.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>An official schema kept in <c>tests/schemas</c> (sources and licences in its README).</summary>
    public static string Schema(string file) => Existing(Path.Combine("tests", "schemas", file));

    /// <summary>A file of the repository by its path from the root; a clear error when it is missing.</summary>
    public static string Existing(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{relativePath} is missing from the repository at {Root}.", path);
    }

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
