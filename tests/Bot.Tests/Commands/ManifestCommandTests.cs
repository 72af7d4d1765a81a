using System.Text.Json.Nodes;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Commands;
using DrBot.Bot.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace DrBot.Bot.Tests.Commands;

/// <summary>
/// Every command the Teams and Slack manifests tell users about is accepted by the parser: each usage
/// in a Teams command description (the part before ": ") and each Slack slash command's usage hint is
/// expanded into concrete texts (placeholders filled, optional parts with and without, a|b each) and
/// parsed. A placeholder without a sample fails the test, so a new advertised form cannot slip by.
/// </summary>
public sealed class ManifestCommandTests
{
    private readonly CommandParser _parser = new(["east-us", "west-us", "north-europe"], ["region-failover", "database-failover", "application-failover", "failback"]);

    private static readonly Dictionary<string, string> Samples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["region"] = "west-us",
        ["run"] = "run-7",
        ["run-id"] = "run-7",
        ["incident"] = "INC-0001",
        ["reason"] = "lag is fine",
        ["name"] = "region-failover",
        ["title"] = "East US is down",
        ["P1..P4"] = "P2",
    };

    public static TheoryData<string> TeamsCommands()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "manifests", "teams", "manifest.json")))!;
        var data = new TheoryData<string>();
        foreach (var command in manifest["bots"]![0]!["commandLists"]![0]!["commands"]!.AsArray())
        {
            var title = (string)command!["title"]!;
            var description = (string)command["description"]!;
            var colon = description.IndexOf(": ", StringComparison.Ordinal);
            // A description that starts with a usage ("failover <region>: …") advertises that usage.
            var usage = colon > 0 && description.StartsWith(title, StringComparison.Ordinal) ? description[..colon] : title;
            foreach (var alternative in usage.Split(" | "))
                foreach (var text in Expand(alternative))
                    data.Add(text);
        }
        return data;
    }

    public static TheoryData<string> SlackCommands()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepoPaths.Root, "manifests", "slack", "manifest.yml")))
            yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var features = (YamlMappingNode)root.Children[new YamlScalarNode("features")];
        var data = new TheoryData<string>();
        foreach (var node in ((YamlSequenceNode)features.Children[new YamlScalarNode("slash_commands")]).Children.Cast<YamlMappingNode>())
        {
            var command = ((YamlScalarNode)node.Children[new YamlScalarNode("command")]).Value!;
            var hint = ((YamlScalarNode)node.Children[new YamlScalarNode("usage_hint")]).Value!;
            // "<region>  e.g. west-us": the example is prose, the usage is before it.
            var eg = hint.IndexOf("e.g.", StringComparison.Ordinal);
            if (eg >= 0)
                hint = hint[..eg];
            foreach (var alternative in hint.Split(" | "))
                foreach (var text in Expand(alternative.Trim()))
                    data.Add($"{command}\t{text}");
            data.Add($"{command}\t");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TeamsCommands))]
    public void Every_command_the_teams_manifest_advertises_is_accepted(string text)
    {
        var result = _parser.Parse($"@DrBot {text}");
        Assert.True(result.Command is not null, $"'{text}' is refused: {result.Error}");
    }

    [Theory]
    [MemberData(nameof(SlackCommands))]
    public void Every_command_the_slack_manifest_advertises_is_accepted(string slashAndText)
    {
        var parts = slashAndText.Split('\t');
        var routerText = DrBot.Bot.Channels.Slack.SlackCommands.ToRouterText(parts[0], parts[1]);
        Assert.NotNull(routerText);
        var result = _parser.Parse(routerText);
        // A bare /failover or /runbook answers with usage, which is what the user needs; anything with a hint must parse.
        if (parts[1].Length == 0 && result.Command is null)
            Assert.Contains("Usage", result.Error, StringComparison.Ordinal);
        else
            Assert.True(result.Command is not null, $"'{parts[0]} {parts[1]}' is refused: {result.Error}");
    }

    [Fact]
    public void The_advertised_shortcuts_mean_what_the_manifests_say()
    {
        Assert.Equal(new IncidentActionCommand(IncidentVerb.Status, null), _parser.Parse("status").Command);
        Assert.Equal(new IncidentActionCommand(IncidentVerb.Ack, "INC-0003"), _parser.Parse("ack inc-0003").Command);
        Assert.Equal(new ListRunbooksCommand(), _parser.Parse("runbook list").Command);
        Assert.Equal(new RunStatusCommand("run-7"), _parser.Parse("runbook status RUN-7").Command);
        Assert.Equal(new RunStatusCommand("run-7"), _parser.Parse("runbook run-7").Command);
        Assert.Equal(new StartRunbookCommand("database-failover", "west-us"), _parser.Parse("runbook start failover-db west-us").Command);
    }

    [Theory]
    [InlineData("runbook status", "runbook status <run-id>")]
    [InlineData("runbook status INC-0001", "runbook status <run-id>")]
    [InlineData("runbook start failover", "runbook start <name> <region>")]
    [InlineData("runbook start failover mars-1", "Unknown region 'mars-1'")]
    [InlineData("runbook start reboot west-us", "Unknown runbook 'reboot'")]
    [InlineData("ack INC-1 now", "Usage: incident")]
    public void Bad_forms_of_the_new_commands_say_what_is_valid(string text, string expected)
    {
        var result = _parser.Parse(text);
        Assert.Null(result.Command);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_expansion_fills_optional_parts_and_alternatives() =>
        Assert.Equal(["incident ack", "incident ack INC-0001", "incident close", "incident close INC-0001"], Expand("incident ack|close [incident]"));

    /// <summary>"incident status|ack [incident]" → incident status, incident status INC-0001, incident ack, …</summary>
    private static List<string> Expand(string usage)
    {
        var texts = new List<string> { "" };
        foreach (var token in usage.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            List<string> choices = token switch
            {
                ['<', .., '>'] => [Sample(token[1..^1])],
                ['[', .., ']'] => ["", Sample(token[1..^1])],
                _ => token.Split('|').ToList(),
            };
            texts = texts.SelectMany(t => choices.Select(c => c.Length == 0 ? t : $"{t} {c}".TrimStart())).ToList();
        }
        return texts;
    }

    private static string Sample(string placeholder) =>
        Samples.TryGetValue(placeholder, out var sample) ? sample
            : throw new InvalidOperationException($"The manifest advertises <{placeholder}>, which this test has no sample for: add one to Samples.");
}
