using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DrBot.Bot.Tests.Cards.BlockKit;
using DrBot.Bot.Tests.Support;
using static DrBot.Bot.Tests.Support.SlackProcessBot;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The whole failover as a team in Slack does it, against the real bot process and a local
/// stand-in for slack.com/api: alice (on-call) types /failover west-us, the bot acknowledges in the
/// channel and posts the card with Approve/Reject, alice's own approval is refused privately, bob
/// (lead) approves and the same message is updated step by step until the run succeeds.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class SlackFailoverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task On_call_starts_a_failover_in_Slack_the_requester_is_refused_privately_and_a_lead_approves_it_through_to_success()
    {
        // Posts unpaced: with Slack's one post a second, the card's updates queue behind the run's notices and are
        // folded into the newest (outbox coalescing), so the card would jump to the end in this fast simulated run.
        await using var slack = await StartAsync("failover", new Dictionary<string, string> { ["DrBot__Slack__PostInterval"] = "00:00:00" });

        // The situation: east-us is down (a drill), so only the approve-failover gate asks a lead.
        using (var drill = await slack.CommandAsync("/drbot", "drill region-down east-us", Bob, "trigger-drill"))
            Assert.Equal(HttpStatusCode.OK, drill.StatusCode);

        using var command = await slack.CommandAsync("/failover", "west-us", Alice, "trigger-failover");
        Assert.Equal(HttpStatusCode.OK, command.StatusCode);
        var ack = JsonNode.Parse(await command.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("in_channel", (string?)ack["response_type"]);
        var runId = RunIdPattern().Match((string?)ack["text"] ?? "").Value;
        Assert.True(runId.Length > 0, $"the acknowledgement names the run: {ack.ToJsonString()}");

        // The runbook card with the approval buttons, in the configured channel.
        var gateCard = await slack.WaitForAsync(e => e.Accepted && e.Call.Method is "chat.postMessage" or "chat.update"
            && SlackBlocks.HasButton(e.Call, "approve") && SlackBlocks.Text(e.Call).Contains($"Run {runId}", StringComparison.Ordinal),
            Wait, "the runbook card with Approve/Reject");
        var ts = TsOfWrite(gateCard.Call);
        Assert.Equal(Channel, (string?)gateCard.Call.Json["channel"]);
        var posted = Assert.Single(slack.AcceptedChatWrites(), e => e.Call.Method == "chat.postMessage" && TsOf(e.Call) == ts);
        Assert.Equal(Channel, (string?)posted.Call.Json["channel"]);
        Assert.Null(posted.Call.Json["thread_ts"]);
        var approve = Assert.Single(SlackBlocks.Buttons(gateCard.Call.Json, "approve"));
        var reject = Assert.Single(SlackBlocks.Buttons(gateCard.Call.Json, "reject"));
        Assert.Equal("primary", (string?)approve["style"]);
        Assert.NotNull(approve["confirm"]);
        Assert.Equal("danger", (string?)reject["style"]);
        foreach (var key in new[] { "runId", "stepId", "version" })
            Assert.Contains($"\"{key}\"", (string?)approve["value"], StringComparison.Ordinal);

        // Four eyes: alice asked for it, so her approval is refused, privately.
        using (var click = await slack.ClickAsync(Alice, ts, approve, "1700000500.000001", "click-alice"))
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var refusal = (await slack.WaitForAsync(e => e.Call.Path == "/response/click-alice", Wait, "alice's refusal")).Call.Json;
        Assert.Equal("ephemeral", (string?)refusal["response_type"]);
        Assert.Contains("alice", (string?)refusal["text"], StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(true, (bool?)refusal["replace_original"]);

        foreach (var key in new[] { "runId", "stepId", "version", "facts" })
            Assert.Contains($"\"{key}\"", (string?)approve["value"], StringComparison.Ordinal);

        // bob (lead) approves: one of the two leads a region failover needs; the card says who and how many are left.
        using (var click = await slack.ClickAsync(Bob, ts, approve, "1700000500.000002", "click-bob"))
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var counted = await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts
            && SlackBlocks.Text(e.Call).Contains("1 of 2 so far: Bob; 1 still needed", StringComparison.Ordinal), Wait, "the card counting bob's approval");
        Assert.DoesNotContain("Succeeded", SlackBlocks.Text(counted.Call), StringComparison.Ordinal);
        // bob's old button is stale now; bob again on the new card counts once only.
        var approveSecond = Assert.Single(SlackBlocks.Buttons(counted.Call.Json, "approve"));
        using (var click = await slack.ClickAsync(Bob, ts, approveSecond, "1700000500.000003", "click-bob-again"))
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var again = (await slack.WaitForAsync(e => e.Call.Path == "/response/click-bob-again", Wait, "bob's second approval refused")).Call.Json;
        Assert.Contains("already approved", (string?)again["text"], StringComparison.Ordinal);

        // carol (the second lead) approves on the current card: the gate opens and the same message is updated until the run is done.
        using (var click = await slack.ClickAsync(Carol, ts, approveSecond, "1700000500.000004", "click-carol"))
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts
            && SlackBlocks.Text(e.Call).Contains("Succeeded", StringComparison.Ordinal), Wait, "the card updated to Succeeded");

        var writes = slack.AcceptedChatWrites();
        foreach (var write in writes)
            BlockKitShape.AssertValid(write.Call.Json);
        var cardUpdates = writes.Where(e => e.Call.Method == "chat.update" && (string?)e.Call.Json["ts"] == ts).Select(e => SlackBlocks.Text(e.Call)).ToList();
        Assert.All(cardUpdates, text => Assert.DoesNotContain("Approved by Alice", text, StringComparison.Ordinal));
        var afterApproval = cardUpdates.SkipWhile(text => !text.Contains("Approved by Carol", StringComparison.Ordinal)).ToList();
        var doneSteps = afterApproval.Select(text => SlackBlocks.CountOccurrences(text, ":white_check_mark:")).ToList();
        Assert.True(doneSteps.Zip(doneSteps.Skip(1)).All(p => p.First <= p.Second), $"steps only ever get done: {string.Join(", ", doneSteps)}");
        Assert.True(doneSteps.Distinct().Count() >= 3, $"the card is updated step by step, not only at the end: {string.Join(", ", doneSteps)}\n{slack.Describe()}");

        var final = afterApproval[^1];
        Assert.Contains("Succeeded", final, StringComparison.Ordinal);
        Assert.Equal(1, SlackBlocks.CountOccurrences(final, "Approved by"));
        Assert.Contains("Approval counted from Bob", final, StringComparison.Ordinal);
        Assert.Empty(SlackBlocks.Buttons(writes.Last(e => (string?)e.Call.Json["ts"] == ts).Call.Json, "approve"));

        // Every Web API call carried the bot token, which never shows up in the bot's log.
        Assert.All(slack.Exchanges.Where(e => e.Call.Path.StartsWith("/api/", StringComparison.Ordinal)),
            e => Assert.Equal($"Bearer {Token}", e.Call.Authorization));
        Assert.DoesNotContain(Token, slack.Bot.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"run-\d+")]
    private static partial Regex RunIdPattern();
}
