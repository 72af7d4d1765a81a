using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using static DrBot.Bot.Tests.Support.SlackProcessBot;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The typed confirmation of a destructive gate on Slack, against the real bot process and the local
/// stand-in for slack.com/api: Approve on "accept data loss" opens a modal (views.open with the click's
/// trigger_id); a wrong region name submitted keeps the modal open saying what to type and approves
/// nothing; the right name approves and the run goes on.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SlackConfirmationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Accepting_data_loss_in_Slack_asks_for_the_target_region_in_a_modal_and_refuses_a_wrong_name()
    {
        await using var slack = await StartAsync("confirm", new Dictionary<string, string> { ["DrBot__Slack__PostInterval"] = "00:00:00" });
        using (var drill = await slack.CommandAsync("/drbot", "drill lag 90 west-us", Bob, "trigger-lag"))
            Assert.Equal(HttpStatusCode.OK, drill.StatusCode);
        using (var start = await slack.CommandAsync("/drbot", "failover-db west-us", Alice, "trigger-start"))
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        // The promotion gate (one lead, no typing), then the data-loss gate.
        var promotion = await slack.WaitForAsync(e => e.Accepted && e.Call.Method is "chat.postMessage" or "chat.update"
            && SlackBlocks.HasButton(e.Call, "approve") && SlackBlocks.Text(e.Call).Contains("Approve promotion", StringComparison.Ordinal), Wait, "the promotion gate");
        var ts = TsOfWrite(promotion.Call);
        using (var click = await slack.ClickAsync(Bob, ts, Assert.Single(SlackBlocks.Buttons(promotion.Call.Json, "approve")), "1700000600.000001", "click-promotion"))
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var dataLoss = await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts
            && SlackBlocks.HasButton(e.Call, "approve") && SlackBlocks.Text(e.Call).Contains("This cannot be undone", StringComparison.Ordinal), Wait, "the data-loss gate");
        // On Slack the box is not in the message: the modal asks for it.
        Assert.DoesNotContain(dataLoss.Call.Json["blocks"]!.AsArray().OfType<JsonObject>(), b => (string?)b["block_id"] == "confirm");
        var approve = Assert.Single(SlackBlocks.Buttons(dataLoss.Call.Json, "approve"));
        Assert.Contains("\"confirmTarget\":\"west-us\"", (string?)approve["value"], StringComparison.Ordinal);

        using (var click = await slack.ClickAsync(Carol, ts, approve, "1700000600.000002", "click-data-loss"))
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var opened = await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "views.open", Wait, "views.open");
        Assert.Equal("trigger-1700000600.000002", (string?)opened.Call.Json["trigger_id"]);
        Assert.Equal($"Bearer {Token}", opened.Call.Authorization);
        var view = opened.Call.Json["view"]!.AsObject();
        Assert.Equal("modal", (string?)view["type"]);
        Assert.Contains(view["blocks"]!.AsArray().OfType<JsonObject>(), b => (string?)b["type"] == "input" && (string?)b["block_id"] == "confirm");
        Assert.Null(slack.ResponseTo("click-data-loss")); // the click itself decided nothing

        // A wrong name: the modal stays open with what to type; nothing is approved.
        using (var wrong = await slack.SubmitModalAsync(Carol, opened.Call, "east-us", "trigger-submit-1"))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            var body = JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!;
            Assert.Equal("errors", (string?)body["response_action"]);
            var error = (string?)body["errors"]!["confirm"];
            Assert.Contains("west-us", error, StringComparison.Ordinal);
            Assert.Contains("you typed 'east-us'", error, StringComparison.Ordinal);
        }
        var stillWaiting = slack.AcceptedChatWrites().Last(e => (string?)e.Call.Json["ts"] == ts || TsOf(e.Call) == ts);
        Assert.True(SlackBlocks.HasButton(stillWaiting.Call, "approve"));
        Assert.DoesNotContain("Succeeded", SlackBlocks.Text(stillWaiting.Call), StringComparison.Ordinal);

        // The right name (case does not matter): the modal closes, the approval counts, the run finishes.
        using (var right = await slack.SubmitModalAsync(Carol, opened.Call, "West-US", "trigger-submit-2"))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
            Assert.DoesNotContain("errors", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts
            && SlackBlocks.Text(e.Call).Contains("Succeeded", StringComparison.Ordinal)
            && SlackBlocks.Text(e.Call).Contains("Approved by Carol", StringComparison.Ordinal), Wait, "the card updated to Succeeded");
    }
}
