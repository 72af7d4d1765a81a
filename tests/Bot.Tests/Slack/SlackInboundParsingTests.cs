using System.Text.Json.Nodes;
using DrBot.Bot.Channels.Slack;

namespace DrBot.Bot.Tests.Slack;

public class SlackInboundParsingTests
{
    [Theory]
    [InlineData("/failover", "west-us", "failover west-us")]
    [InlineData("/incident", "open P1 Database down", "incident open P1 Database down")]
    [InlineData("/runbook", " list ", "runbook list")]
    [InlineData("/runbook", "", "runbook")]
    [InlineData("/drbot", "failover west-us", "failover west-us")]
    [InlineData("/drbot", "", "help")]
    [InlineData("/FAILOVER", "west-us", "failover west-us")]
    public void Slash_commands_become_router_text(string command, string text, string expected)
    {
        Assert.Equal(expected, SlackCommands.ToRouterText(command, text));
    }

    [Fact]
    public void A_command_that_is_not_drbots_gives_no_router_text()
    {
        Assert.Null(SlackCommands.ToRouterText("/giphy", "cats"));
    }

    [Theory]
    [InlineData("<@U0DRBOT> failover west-us", "failover west-us")]
    [InlineData("<@U0DRBOT|drbot>   incident status", "incident status")]
    [InlineData("<@U0DRBOT> <@U0OTHER> help", "help")]
    [InlineData("<@U0DRBOT> note a &lt; b &amp;&amp; c &gt; d", "note a < b && c > d")]
    public void A_mention_is_stripped_before_routing(string text, string expected)
    {
        Assert.Equal(expected, SlackInbound.StripMentions(text));
    }

    public static string ClickPayload(string userId, string actionTs, string value, string? reason, string messageTs = "1700000000.000001") =>
        new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = "bob.lead", ["team_id"] = "T0TEAM" },
            ["team"] = new JsonObject { ["id"] = "T0TEAM" },
            ["api_app_id"] = "A0APP",
            ["trigger_id"] = "trig",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = SlackBotHost.IncidentChannel, ["is_ephemeral"] = false },
            ["channel"] = new JsonObject { ["id"] = SlackBotHost.IncidentChannel, ["name"] = "incident-response" },
            ["message"] = new JsonObject { ["ts"] = messageTs, ["text"] = "Failover" },
            ["state"] = new JsonObject
            {
                ["values"] = new JsonObject
                {
                    ["reason"] = new JsonObject { ["reason"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = reason } },
                },
            },
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = "approve-0",
                ["block_id"] = "actions",
                ["type"] = "button",
                ["value"] = value,
                ["action_ts"] = actionTs,
            }),
        }.ToJsonString();

    [Fact]
    public void A_block_actions_click_gives_the_verb_the_button_data_and_the_reason()
    {
        var click = SlackInbound.ParseClick(ClickPayload("U0BOB", "1700000001.100", """{"verb":"approve","runId":"R-7","stepId":"approve","version":"3"}""", "lag is fine"))!;
        Assert.Equal("U0BOB", click.UserId);
        Assert.Equal(SlackBotHost.IncidentChannel, click.ChannelId);
        Assert.Equal("approve", click.Action.Verb);
        Assert.Equal("1700000000.000001", click.Action.PlatformMessageId);
        Assert.Equal(new Dictionary<string, string> { ["runId"] = "R-7", ["stepId"] = "approve", ["version"] = "3", ["reason"] = "lag is fine" }, click.Action.Data);
    }

    [Fact]
    public void An_input_cannot_override_what_the_button_carries()
    {
        var payload = JsonNode.Parse(ClickPayload("U0BOB", "1.1", """{"verb":"approve","runId":"R-7"}""", null))!;
        payload["state"]!["values"]!["runId"] = new JsonObject { ["runId"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "R-999" } };
        var click = SlackInbound.ParseClick(payload.ToJsonString())!;
        Assert.Equal("R-7", click.Action.Data["runId"]);
        Assert.False(click.Action.Data.ContainsKey("reason"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"type":"view_submission"}""")]
    [InlineData("""{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"C1"},"actions":[{"value":"not ours"}]}""")]
    public void Payloads_that_are_not_drbot_clicks_are_ignored(string payload)
    {
        Assert.Null(SlackInbound.ParseClick(payload));
    }

    [Fact]
    public void Mentions_by_bots_are_ignored()
    {
        var delivery = SlackInbound.ParseEvent("""{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","bot_id":"B1","channel":"C1","text":"<@U0DRBOT> help"}}""")!;
        Assert.Null(delivery.Mention);
    }

    [Theory]
    [InlineData("INC-0001", "Database down in East US!", "inc-0001-database-down-in-east-us")]
    [InlineData("7", "Outage", "inc-7-outage")]
    [InlineData("INC-0002", "Ünïcode   & symbols__ok", "inc-0002-n-code-symbols__ok")]
    public void War_room_names_are_slack_safe(string incidentId, string title, string expected)
    {
        Assert.Equal(expected, SlackWarRoomName.For(incidentId, title));
    }

    [Fact]
    public void War_room_names_stay_within_80_characters_even_with_a_suffix()
    {
        var name = SlackWarRoomName.For("INC-0001", new string('a', 200));
        Assert.Equal(80, name.Length);
        var suffixed = SlackWarRoomName.WithSuffix(name, 2);
        Assert.Equal(80, suffixed.Length);
        Assert.EndsWith("-2", suffixed, StringComparison.Ordinal);
    }
}
