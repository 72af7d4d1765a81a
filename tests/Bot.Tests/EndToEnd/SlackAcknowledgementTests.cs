using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using Xunit.Abstractions;
using static DrBot.Bot.Tests.Support.SlackProcessBot;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// Slack gives a command 3 s to be acknowledged. With the Web API taking 10 s to answer every
/// call (the bot's own posts stuck in flight), the real bot still acknowledges at once, with the
/// real answer, because the posts go through the outbox after the acknowledgement; and the other
/// channels' posts (the web chat) do not queue behind Slack's.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SlackAcknowledgementTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WellUnder3Seconds = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Commands_are_acknowledged_well_under_three_seconds_while_Slack_takes_ten_seconds_to_answer()
    {
        await using var slack = await StartAsync("slow");

        // Warm-up at Slack's normal speed: the first requests pay for JIT, which is not what this measures.
        await TimedCommandAsync(slack, "/drbot", "help", "trigger-help");
        await TimedCommandAsync(slack, "/drbot", "drill region-down east-us", "trigger-drill", Bob);
        await slack.WaitForAsync(e => e.Accepted && e.Call.Method == "chat.postMessage", TimeSpan.FromSeconds(30), "the drill's first post");

        // Now Slack takes 10 s over every call; the drill's remaining posts put the bot's calls in flight.
        var slowCallInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slack.Behaviour = call =>
        {
            if (call.Path.StartsWith("/api/", StringComparison.Ordinal))
                slowCallInFlight.TrySetResult();
            return LikeSlack(call) with { Delay = TimeSpan.FromSeconds(10) };
        };
        await slowCallInFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (firstStatus, firstStatusTime) = await TimedCommandAsync(slack, "/incident", "status", "trigger-status-1");
        var (failover, failoverTime) = await TimedCommandAsync(slack, "/failover", "west-us", "trigger-failover");
        var sinceFailover = Stopwatch.StartNew();
        var (status, statusTime) = await TimedCommandAsync(slack, "/incident", "status", "trigger-status-2");

        var times = $"status {firstStatusTime.TotalMilliseconds:0} ms, failover {failoverTime.TotalMilliseconds:0} ms, status {statusTime.TotalMilliseconds:0} ms";
        output.WriteLine(times);
        Assert.True(new[] { firstStatusTime, failoverTime, statusTime }.All(t => t < WellUnder3Seconds), times);

        // Slack hanging holds up Slack's own posts only: the web chat gets the run card at once.
        await slack.Bot.WaitForMessageAsync(m => CardJson.Text(m["card"]).Contains("Run run-1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(sinceFailover.Elapsed < TimeSpan.FromSeconds(5), $"the web chat waited {sinceFailover.Elapsed.TotalSeconds:0.0} s for the run card behind Slack");

        // The acknowledgements are the real answers, not "working on it".
        Assert.Equal("in_channel", (string?)failover["response_type"]);
        Assert.Contains("started region-failover", (string?)failover["text"], StringComparison.Ordinal);
        foreach (var answer in new[] { firstStatus, status })
        {
            Assert.Equal("ephemeral", (string?)answer["response_type"]);
            Assert.Contains("posted in its thread", (string?)answer["text"], StringComparison.Ordinal);
        }
    }

    private static async Task<(JsonObject Answer, TimeSpan Took)> TimedCommandAsync(SlackProcessBot slack, string command, string text, string trigger, string user = Alice)
    {
        var clock = Stopwatch.StartNew();
        using var response = await slack.CommandAsync(command, text, user, trigger);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{command} {text}: {(int)response.StatusCode} {body}");
        return (JsonNode.Parse(body)!.AsObject(), clock.Elapsed);
    }
}
