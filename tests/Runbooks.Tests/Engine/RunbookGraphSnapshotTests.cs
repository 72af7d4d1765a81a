using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>
/// The exact Mermaid diagram of each built-in runbook, compared with the snapshot under
/// <c>Engine/Graphs/</c> (as Stateless tests its own graph output). The diagram is what `runbook
/// &lt;name&gt;` shows: a change to a runbook's steps or to the rules of its gates (role, four-eyes,
/// current card) changes it, and then the snapshot is reviewed and replaced on purpose.
/// </summary>
public sealed class RunbookGraphSnapshotTests
{
    public static TheoryData<string> BuiltIns() =>
        [.. new RunbookCatalog(new Dictionary<string, RunbookDefinitionOptions>(), DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).All.Select(d => d.Name)];

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void The_mermaid_diagram_of_a_built_in_runbook_is_exactly_its_snapshot(string runbook)
    {
        using var h = new EngineHarness();
        var actual = Normalize(h.Engine.ExportGraph(runbook, GraphFormat.Mermaid));
        var snapshot = Path.Combine(AppContext.BaseDirectory, "Engine", "Graphs", $"{runbook}.mmd");
        var expected = File.Exists(snapshot) ? Normalize(File.ReadAllText(snapshot)) : null;
        if (expected != actual)
        {
            // Written beside the test output so a reviewer can diff it and, if the change is meant, copy it over the snapshot.
            var received = Path.Combine(Path.GetTempPath(), $"drbot-graph-{runbook}.received.mmd");
            File.WriteAllText(received, actual);
            Assert.Fail($"The diagram of {runbook} differs from tests/Runbooks.Tests/Engine/Graphs/{runbook}.mmd; the new one is in {received}.");
        }
    }

    [Fact]
    public void The_approval_rules_are_guards_the_diagram_shows()
    {
        using var h = new EngineHarness();
        var mermaid = h.Engine.ExportGraph(BuiltInRunbooks.RegionFailover, GraphFormat.Mermaid);

        Assert.Contains("decider has role lead", mermaid, StringComparison.Ordinal);
        Assert.Contains("decider did not start the run", mermaid, StringComparison.Ordinal);
        Assert.Contains("card shows the current version", mermaid, StringComparison.Ordinal);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";
}
