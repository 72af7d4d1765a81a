using System.Text;
using CsCheck;
using DrBot.Bot.Alerts.Parsing;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Commands;
using DrBot.Bot.Tests.Alerts;
using Microsoft.AspNetCore.WebUtilities;

namespace DrBot.Bot.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing (CsCheck) of every parser of outside input: each must answer every input
/// with a result or a refusal that says what was wrong, never throw, never hang. The HTTP side
/// (status codes) is covered by <see cref="EndpointFuzzTests"/>. Cases here: 11,500 × DRBOT_FUZZ_SCALE.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromMinutes(3);
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private static Task Run(Action body) => Task.Run(body).WaitAsync(NoHang * FuzzInputs.Scale);

    [Fact]
    public Task The_command_parser_answers_every_text_with_a_command_or_a_reason() => Run(() =>
    {
        var parser = new CommandParser(["east-us", "west-us", "north-europe"], ["region-failover", "database-failover", "application-failover", "failback"]);
        FuzzInputs.Commands.Sample(text =>
        {
            var result = parser.Parse(text);
            Assert.True(result.Command is not null || !string.IsNullOrWhiteSpace(result.Error), $"no command and no reason for '{text}'");
        }, iter: FuzzInputs.Cases(4000), threads: 1);
    });

    [Theory]
    [InlineData("alertmanager")]
    [InlineData("azure-monitor")]
    [InlineData("generic")]
    public Task Each_alert_parser_answers_every_body_with_alerts_or_a_field_and_reason(string kind) => Run(() =>
    {
        Func<byte[], AlertParseResult> parse = kind switch
        {
            "alertmanager" => b => AlertmanagerParser.Parse(b),
            "azure-monitor" => b => AzureMonitorParser.Parse(b),
            _ => b => GenericAlertParser.Parse(b, Now),
        };
        string[] seeds = kind switch
        {
            "alertmanager" => [AlertSamples.Alertmanager(), AlertSamples.AlertmanagerGroup(3)],
            "azure-monitor" => [AlertSamples.AzureMonitor(), AlertSamples.AzureMonitor("Resolved")],
            _ => ["""{"name":"replication_lag","status":"firing","severity":"warning","region":"east-us","id":"a-1","value":42}""",
                  """[{"name":"disk","status":"resolved","startsAt":"2026-03-01T10:00:00Z"}]"""],
        };
        Gen.OneOf(FuzzInputs.Mutations(seeds), FuzzInputs.Json()).Sample(body =>
        {
            var result = parse(Encoding.UTF8.GetBytes(body));
            if (result.Error is { } error)
                Assert.False(string.IsNullOrWhiteSpace(error.Message), $"a refusal without a reason for {body}");
            else
                Assert.NotNull(result.Alerts);
        }, iter: FuzzInputs.Cases(1500), threads: 1);
    });

    [Fact]
    public Task Slack_form_and_JSON_bodies_are_parsed_or_ignored_without_throwing() => Run(() =>
    {
        var click = """{"type":"block_actions","user":{"id":"U1","username":"bob"},"container":{"channel_id":"C1","message_ts":"1.2"},"actions":[{"action_id":"approve","value":"{\"verb\":\"approve\",\"runId\":\"run-1\",\"stepId\":\"g\",\"version\":\"3\"}"}],"response_url":"http://127.0.0.1/r"}""";
        var evt = """{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@UBOT> failover west-us","channel":"C1","ts":"1.2"}}""";
        var form = "command=%2Fdrbot&text=failover+west-us&user_id=U1&user_name=bob&channel_id=C1&trigger_id=t1&response_url=http%3A%2F%2F127.0.0.1%2Fr";
        Gen.OneOf(FuzzInputs.Mutations(click, evt, form), FuzzInputs.Json()).Sample(generated =>
        {
            // As the endpoint gets it: bytes off the wire decoded as UTF-8 (no lone surrogates survive that).
            var body = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(generated));
            _ = SlackInbound.ParseClick(body);
            _ = SlackInbound.ParseEvent(body);
            var fields = QueryHelpers.ParseQuery(body);
            _ = SlackCommands.ToRouterText(fields.TryGetValue("command", out var c) ? c.ToString() : null, fields.TryGetValue("text", out var t) ? t.ToString() : null);
        }, iter: FuzzInputs.Cases(1500), threads: 1);
    });

    [Fact]
    public void A_Slack_payload_or_button_value_with_a_duplicate_key_is_ignored_not_thrown()
    {
        const string payload = """{"type":"block_actions","type":"block_actions","user":{"id":"U1"},"container":{"channel_id":"C1"},"actions":[]}""";
        Assert.Null(SlackInbound.ParseClick(payload));
        Assert.Null(DrBot.Bot.Cards.BlockKit.BlockKitButtons.Parse("""{"verb":"approve","runId":"run-1","runId":"run-2"}"""));
    }
}
