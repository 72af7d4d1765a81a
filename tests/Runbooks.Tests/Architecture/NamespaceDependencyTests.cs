using System.Text.RegularExpressions;

namespace DrBot.Runbooks.Tests.Architecture;

/// <summary>
/// Reads the sources of src/Runbooks: the folders (namespaces under <c>DrBot.Runbooks</c>) must depend
/// on each other without a cycle, and nothing may reach into the host (src/Bot). A folder depends on
/// another when one of its files names a type declared there (comments and strings left out).
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    private static readonly string Source = Path.Combine(RepositoryRoot(), "src", "Runbooks");

    [Fact]
    public void The_folders_of_src_Runbooks_depend_on_each_other_without_a_cycle()
    {
        var graph = DependencyGraph(SourceFiles());

        var cycles = Cycles(graph).Select(c => string.Join(" → ", c.Append(c[0]))).ToList();

        Assert.True(cycles.Count == 0, "Namespace cycles in src/Runbooks:\n" + string.Join("\n", cycles) + "\n" + Describe(graph));
    }

    [Fact]
    public void Nothing_in_src_Runbooks_refers_to_the_host()
    {
        var offenders = SourceFiles()
            .Where(f => HostReference().IsMatch(Code(File.ReadAllText(f))))
            .Select(f => Path.GetRelativePath(Source, f))
            .ToList();
        var project = File.ReadAllText(Path.Combine(Source, "Runbooks.csproj"));

        Assert.Empty(offenders);
        Assert.DoesNotContain("Bot.csproj", project, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_reader_finds_a_cycle_when_there_is_one()
    {
        // The check itself, on two made-up folders that name each other's types.
        var graph = DependencyGraph(
        [
            ("A.cs", "using DrBot.Runbooks.B;\nnamespace DrBot.Runbooks.A;\npublic sealed class Alpha { Beta? b; }"),
            ("B.cs", "using DrBot.Runbooks.A;\nnamespace DrBot.Runbooks.B;\npublic sealed class Beta { Alpha? a; }"),
        ]);

        Assert.Single(Cycles(graph));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static Dictionary<string, HashSet<string>> DependencyGraph(IEnumerable<string> files) =>
        DependencyGraph(files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))));

    /// <summary>Folder → folders it names types of. Only folders under DrBot.Runbooks count.</summary>
    private static Dictionary<string, HashSet<string>> DependencyGraph(IEnumerable<(string Name, string Text)> sources)
    {
        var files = sources.Select(s => Code(s.Text)).Select(code => (Namespace: NamespaceOf(code), Code: code)).ToList();
        var declaredIn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (ns, code) in files)
        {
            foreach (Match m in TypeDeclaration().Matches(code))
            {
                (declaredIn.TryGetValue(m.Groups[1].Value, out var set) ? set : declaredIn[m.Groups[1].Value] = []).Add(ns);
            }
        }
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (ns, code) in files)
        {
            var from = Folder(ns);
            if (from is null)
            {
                continue;
            }
            var imported = Using().Matches(code).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            foreach (var word in Identifier().Matches(code).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                foreach (var target in declaredIn.GetValueOrDefault(word) ?? [])
                {
                    var to = Folder(target);
                    if (to is not null && to != from && (imported.Contains(target) || ns.StartsWith(target, StringComparison.Ordinal)))
                    {
                        (graph.TryGetValue(from, out var edges) ? edges : graph[from] = []).Add(to);
                    }
                }
            }
        }
        return graph;
    }

    /// <summary>The strongly connected parts of the graph with more than one folder (Tarjan).</summary>
    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (stack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] == index[v])
            {
                var part = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    part.Add(w);
                }
                while (w != v);
                if (part.Count > 1)
                {
                    cycles.Add(part);
                }
            }
        }
        foreach (var v in graph.Keys.Concat(graph.Values.SelectMany(e => e)).Distinct().Order(StringComparer.Ordinal).ToList())
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }
        return cycles;
    }

    private static string Describe(Dictionary<string, HashSet<string>> graph) =>
        string.Join("\n", graph.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} → {string.Join(", ", e.Value.Order(StringComparer.Ordinal))}"));

    /// <summary>DrBot.Runbooks.Engine → Engine; DrBot.Runbooks.Infrastructure.Live → Infrastructure; other namespaces → null.</summary>
    private static string? Folder(string ns)
    {
        var parts = ns.Split('.');
        return parts.Length >= 3 && parts[0] == "DrBot" && parts[1] == "Runbooks" ? parts[2] : null;
    }

    private static string NamespaceOf(string code) => FileNamespace().Match(code) is { Success: true } m ? m.Groups[1].Value : "";

    /// <summary>The code without comments and string literals, so words in them do not count as references.</summary>
    private static string Code(string text)
    {
        var code = RawString().Replace(text, "\"\"");
        code = BlockComment().Replace(code, " ");
        code = LineComment().Replace(code, "");
        return StringLiteral().Replace(code, "\"\"");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (with Directory.Packages.props) is not above the test output.");
    }

    [GeneratedRegex(@"\b(?:class|record|interface|enum|struct)\s+([A-Za-z_]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^\s*using\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Using();

    [GeneratedRegex(@"(?<![\w.])[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"\bDrBot\.Bot\b")]
    private static partial Regex HostReference();

    [GeneratedRegex("\"\"\".*?\"\"\"", RegexOptions.Singleline)]
    private static partial Regex RawString();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"""(?:\\.|[^""\\\n])*""")]
    private static partial Regex StringLiteral();
}
