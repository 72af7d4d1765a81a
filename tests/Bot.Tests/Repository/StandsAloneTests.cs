using System.Text.RegularExpressions;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Repository;

/// <summary>
/// A user clones this repository alone: no file under src/, tests/, bench/ or tools/ may name a path
/// outside it (a folder beside the clone, a parent directory, a machine's absolute path).
/// </summary>
public sealed partial class StandsAloneTests
{
    private static readonly string[] CheckedFolders = ["src", "tests", "bench", "tools"];
    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", "artifacts", "wwwroot"];
    private static readonly string[] TextExtensions =
        [".cs", ".csproj", ".props", ".targets", ".js", ".mjs", ".json", ".sh", ".html", ".css", ".yml", ".yaml", ".md", ".txt"];

    [Fact]
    public void No_file_names_a_path_outside_the_repository()
    {
        var violations = CheckedFolders
            .Select(folder => Path.Combine(RepoPaths.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(SourceFiles)
            .SelectMany(file => PathsOutside(RepoPaths.Root, file, File.ReadAllText(file)))
            .ToList();

        Assert.True(violations.Count == 0, "Paths outside the repository:\n" + string.Join('\n', violations));
    }

    [Theory]
    [InlineData("tests/Bot.Tests/X.cs", "var s = \"../../../shared/schemas/a.json\";")]
    [InlineData("tests/Bot.Tests/X.cs", "Path.Combine(root, \"..\", \"other\")")]
    [InlineData("tests/Bot.Tests/X.cs", "Path.Combine(\"shared\", \"schemas\", file)")]
    [InlineData("src/Bot/X.cs", "const string P = \"/work/shared/DR-STRATEGY.md\";")]
    [InlineData("tests/X.sh", "cat ..\\..\\outside.txt")]
    public void The_check_finds_each_kind_of_outside_path(string file, string text) =>
        Assert.NotEmpty(PathsOutside("/repo", Path.Combine("/repo", file), text));

    [Theory]
    [InlineData("tests/Bot.Tests/Bot.Tests.csproj", "<ProjectReference Include=\"../../src/Bot/Bot.csproj\" />")]
    [InlineData("bench/Bot/Bench.Bot.csproj", "<ProjectReference Include=\"../../tests/Support/Support.csproj\" />")]
    [InlineData("tests/Bot.Tests/X.cs", "RepoPaths.Schema(\"adaptive-card-1.5.schema.json\")")]
    public void Paths_that_stay_inside_the_repository_pass(string file, string text) =>
        Assert.Empty(PathsOutside("/repo", Path.Combine("/repo", file), text));

    /// <summary>What tests and benchmarks share is the tests/Support project, not source files linked from another project.</summary>
    [Fact]
    public void No_project_compiles_the_sources_of_another_project()
    {
        var linked = CheckedFolders
            .Select(folder => Path.Combine(RepoPaths.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(SourceFiles)
            .Where(file => file.EndsWith(".csproj", StringComparison.Ordinal))
            .Where(file => LinkedSource().IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(RepoPaths.Root, file))
            .ToList();

        Assert.True(linked.Count == 0, "Projects that compile another project's sources (reference tests/Support instead):\n" + string.Join('\n', linked));
    }

    [GeneratedRegex(@"<Compile\s+Include=""\.\.[/\\]")]
    private static partial Regex LinkedSource();

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(file => TextExtensions.Contains(Path.GetExtension(file)))
            .Where(file => !file.EndsWith("package-lock.json", StringComparison.Ordinal))
            // This file names the patterns it looks for, so it is the one file not read.
            .Where(file => !Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar).Any(SkippedFolders.Contains))
            .Where(file => Path.GetFileName(file) != nameof(StandsAloneTests) + ".cs");

    private static IEnumerable<string> PathsOutside(string root, string file, string text)
    {
        var relativeName = Path.GetRelativePath(root, file);
        var fullRoot = Path.GetFullPath(root).TrimEnd('/') + "/";
        foreach (Match match in RelativePath().Matches(text))
        {
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, match.Value.Replace('\\', '/')));
            if (!(target + "/").StartsWith(fullRoot, StringComparison.Ordinal))
                yield return $"{relativeName}: '{match.Value}' leaves the repository";
        }

        foreach (var pattern in new[] { ParentLiteral(), SiblingSharedFolder(), MachinePath() })
            foreach (Match match in pattern.Matches(text))
                yield return $"{relativeName}: '{match.Value}' points outside the repository";
    }

    [GeneratedRegex(@"(?:\.\.[/\\])+[\w.\-/\\]*")]
    private static partial Regex RelativePath();

    [GeneratedRegex(@"""\.\.""")]
    private static partial Regex ParentLiteral();

    [GeneratedRegex(@"shared[/\\""',\s]+schemas", RegexOptions.IgnoreCase)]
    private static partial Regex SiblingSharedFolder();

    [GeneratedRegex(@"(?<![\w.])/(?:work|home|root|tmp/drbot)/[\w.\-/]+")]
    private static partial Regex MachinePath();
}
