using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema;
using DrBot.Bot.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace DrBot.Bot.Tests.Slack;

/// <summary>manifests/slack/manifest.yml against Slack's official manifest schema (tests/schemas).</summary>
public class SlackManifestTests
{
    private static JsonObject Manifest()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(RepoPaths.Existing(Path.Combine("manifests", "slack", "manifest.yml")));
        yaml.Load(reader);
        return ToJson(yaml.Documents[0].RootNode)!.AsObject();
    }

    /// <summary>YAML to JSON with YAML's plain scalars typed (true/false, integers) as the Slack tooling reads them.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain => plain.Value switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var v when long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            var v => JsonValue.Create(v),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    [Fact]
    public async Task The_manifest_is_valid_against_slacks_schema()
    {
        var schema = await JsonSchema.FromFileAsync(RepoPaths.Schema("slack-manifest-v1.schema.json"));
        var errors = schema.Validate(Manifest().ToJsonString());
        Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public async Task The_schema_check_catches_a_broken_manifest()
    {
        var schema = await JsonSchema.FromFileAsync(RepoPaths.Schema("slack-manifest-v1.schema.json"));
        var broken = Manifest();
        broken["features"]!["slash_commands"]![0]!["command"] = "failover-without-slash";
        broken["display_information"]!["name"] = new string('n', 40);
        Assert.NotEmpty(schema.Validate(broken.ToJsonString()));
    }

    [Fact]
    public void The_manifest_declares_drbots_commands_endpoints_events_and_scopes()
    {
        var manifest = Manifest();
        var commands = manifest["features"]!["slash_commands"]!.AsArray();
        Assert.Equal(["/failover", "/incident", "/runbook", "/drbot"], commands.Select(c => (string?)c!["command"]));
        Assert.All(commands, c =>
        {
            Assert.Equal("https://YOUR-HOST/api/slack/commands", (string?)c!["url"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)c["usage_hint"]));
        });
        Assert.Equal("https://YOUR-HOST/api/slack/interactions", (string?)manifest["settings"]!["interactivity"]!["request_url"]);
        Assert.True((bool)manifest["settings"]!["interactivity"]!["is_enabled"]!);
        Assert.Equal("https://YOUR-HOST/api/slack/events", (string?)manifest["settings"]!["event_subscriptions"]!["request_url"]);
        Assert.Equal(["app_mention"], manifest["settings"]!["event_subscriptions"]!["bot_events"]!.AsArray().Select(e => (string?)e));
        Assert.Equal(
            ["app_mentions:read", "channels:manage", "chat:write", "commands", "groups:write", "users:read"],
            manifest["oauth_config"]!["scopes"]!["bot"]!.AsArray().Select(s => (string?)s).Order(StringComparer.Ordinal));
        Assert.Equal("DrBot", (string?)manifest["features"]!["bot_user"]!["display_name"]);
    }
}
