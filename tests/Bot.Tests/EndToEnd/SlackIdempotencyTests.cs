using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Cards.BlockKit;
using DrBot.Bot.Tests.Support;
using static DrBot.Bot.Tests.Support.SlackProcessBot;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// Slack delivers again when it thinks a request was lost, and people click twice. Against the real
/// bot process: one command delivered three times starts one run; twenty leads' clicks on Approve
/// at once record one decision.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SlackIdempotencyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_command_delivered_three_times_starts_one_run_and_twenty_simultaneous_approvals_record_one_decision()
    {
        await using var slack = await StartAsync("idempotency");
        using (var drill = await slack.CommandAsync("/drbot", "drill region-down east-us", Bob, "trigger-drill"))
            Assert.Equal(HttpStatusCode.OK, drill.StatusCode);

        // The original and two retries (same trigger_id, each freshly signed as Slack does), all at once.
        var deliveries = await Task.WhenAll(Enumerable.Range(0, 3).Select(async retry =>
        {
            using var response = await slack.CommandAsync("/failover", "west-us", Alice, "trigger-failover-once", request =>
            {
                if (retry > 0)
                {
                    request.Headers.Add("X-Slack-Retry-Num", retry.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
                }
            });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(deliveries, d => Assert.Equal(HttpStatusCode.OK, d.StatusCode));
        var started = Assert.Single(deliveries, d => d.Body.Contains("started", StringComparison.Ordinal));
        Assert.Contains("run-1", started.Body, StringComparison.Ordinal);

        var gateCard = await slack.WaitForAsync(e => e.Accepted && SlackBlocks.HasButton(e.Call, "approve"), Wait, "the card with Approve");
        var ts = TsOfWrite(gateCard.Call);
        var approve = Assert.Single(SlackBlocks.Buttons(gateCard.Call.Json, "approve"));

        // Twenty clicks by the two leads, all at once (each a click of its own, with its own action_ts).
        var clicks = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await slack.ClickAsync(i % 2 == 0 ? Bob : Carol, ts, approve, $"1700000700.{i:000000}", $"click-{i}");
            return response.StatusCode;
        }));
        Assert.All(clicks, status => Assert.Equal(HttpStatusCode.OK, status));

        // Every click is answered on its response_url: one approval in the channel (one of the two a region
        // failover needs), nineteen private refusals.
        await slack.WaitForAsync(_ => Enumerable.Range(0, 20).All(i => slack.ResponseTo($"click-{i}") is not null), Wait, "an answer to every click");
        var answers = Enumerable.Range(0, 20).Select(i => slack.ResponseTo($"click-{i}")!).ToList();
        var approval = Assert.Single(answers, a => (string?)a["response_type"] == "in_channel");
        Assert.Contains("approved by", (string?)approval["text"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("1 of 2 approvals", (string?)approval["text"], StringComparison.Ordinal);
        Assert.All(answers.Where(a => a != approval), a => Assert.Equal("ephemeral", (string?)a["response_type"]));

        // The other lead approves once on the card that counts the first approval.
        var first = ((string?)approval["text"])!.Contains("by Bob", StringComparison.Ordinal) ? Bob : Carol;
        var counted = await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts
            && SlackBlocks.Text(e.Call).Contains("1 of 2 so far", StringComparison.Ordinal), Wait, "the card counting one approval");
        using (var second = await slack.ClickAsync(first == Bob ? Carol : Bob, ts, Assert.Single(SlackBlocks.Buttons(counted.Call.Json, "approve")), "1700000800.000001", "click-second"))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts
            && SlackBlocks.Text(e.Call).Contains("Succeeded", StringComparison.Ordinal), Wait, "the card updated to Succeeded");
        var writes = slack.AcceptedChatWrites();
        foreach (var write in writes)
            BlockKitShape.AssertValid(write.Call.Json);

        // One run: one runbook card, and nothing ever mentions a second run.
        Assert.Single(writes, e => e.Call.Method == "chat.postMessage" && SlackBlocks.Text(e.Call).Contains("Run run-1 ·", StringComparison.Ordinal));
        Assert.DoesNotContain(slack.Exchanges, e => SlackBlocks.Text(e.Call).Contains("run-2", StringComparison.Ordinal));

        // One decision: no version of the card ever shows a second "Approved by" line, and only one lead's name appears.
        var cardTexts = writes.Where(e => (string?)e.Call.Json["ts"] == ts).Select(e => SlackBlocks.Text(e.Call)).ToList();
        Assert.All(cardTexts, text => Assert.True(SlackBlocks.CountOccurrences(text, "Approved by") <= 1, text));
        Assert.Equal(1, SlackBlocks.CountOccurrences(cardTexts[^1], "Approved by"));
        var approvers = new[] { "Approved by Bob", "Approved by Carol" }.Where(a => cardTexts.Any(t => t.Contains(a, StringComparison.Ordinal))).ToList();
        Assert.Single(approvers);
    }
}
