using System.Net;
using System.Text.RegularExpressions;
using DrBot.Bot.Tests.Slack;
using DrBot.Bot.Tests.Support;
using static DrBot.Bot.Tests.Support.SlackProcessBot;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// Slack rate-limits the bot (429 with Retry-After: 2) and then fails with 500s for a while. Against
/// the real bot process: the posts wait (honouring Retry-After), and once Slack answers again every
/// post and update arrives, in the order it was made, none twice, replies in the right threads.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class SlackOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task After_a_429_and_a_spell_of_500s_every_post_arrives_in_order_and_none_twice()
    {
        await using var slack = await StartAsync("outage");
        var outage = new OutageScript(Outage);
        slack.Behaviour = outage.Answer;

        // Seven messages made in a known order: three incident cards, two updates, two thread replies. An
        // acknowledgement made while its card's post still waits out the outage is folded into that post
        // (queued updates coalesce), so each card shows "Acknowledged" exactly once, by an update or by its post.
        string[] commands =
        [
            "/incident open P3 Checkout latency",
            "/incident open P3 Search errors",
            "/incident ack INC-0001",
            "/incident status INC-0001",
            "/incident open P3 Billing timeouts",
            "/incident ack INC-0002",
            "/incident status INC-0002",
        ];
        foreach (var (line, index) in commands.Select((c, i) => (c, i)))
        {
            var command = line[..line.IndexOf(' ', StringComparison.Ordinal)];
            using var response = await slack.CommandAsync(command, line[(command.Length + 1)..], Alice, $"trigger-{index}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        string[] cards = ["post INC-0001", "post INC-0002", "reply to INC-0001", "post INC-0003", "reply to INC-0002"];

        await slack.WaitForAsync(_ => Describe(slack.AcceptedChatWrites()).Count(l => l.StartsWith("post", StringComparison.Ordinal) || l.StartsWith("reply", StringComparison.Ordinal)) >= cards.Length
            && Describe(slack.AcceptedChatWrites()).Count(l => l.EndsWith("(Acknowledged)", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(45), "every post, reply and acknowledgement accepted");
        // Anything sent twice would trail in behind.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var accepted = Describe(slack.AcceptedChatWrites());
        var why = $"accepted:\n{string.Join('\n', accepted)}\ncalls:\n{slack.Describe()}";
        Assert.True(cards.SequenceEqual(accepted.Where(l => !l.StartsWith("update", StringComparison.Ordinal)).Select(l => l.Replace(" (Acknowledged)", "", StringComparison.Ordinal))), why);
        foreach (var incident in new[] { "INC-0001", "INC-0002" })
        {
            var acknowledged = accepted.FindIndex(l => l == $"update {incident} (Acknowledged)" || l == $"post {incident} (Acknowledged)");
            Assert.True(acknowledged >= 0 && acknowledged < accepted.IndexOf($"reply to {incident}"), why);
            Assert.Single(accepted, l => l.Contains($"{incident} (Acknowledged)", StringComparison.Ordinal));
        }

        // The outage really happened, and the 429's Retry-After was honoured before the next try.
        var writes = slack.Exchanges.Where(e => e.Call.Method is "chat.postMessage" or "chat.update").ToList();
        Assert.Equal(429, writes[0].Status);
        Assert.True(writes[1].At - writes[0].At >= TimeSpan.FromSeconds(1.9), $"retried {(writes[1].At - writes[0].At).TotalSeconds:0.00} s after a 429 asking for 2 s");
        Assert.True(writes.Count(e => e.Status == 500) >= 2, slack.Describe());
        Assert.True(writes.First(e => e.Accepted).At - writes[0].At >= Outage, slack.Describe());
    }

    /// <summary>The first chat write gets 429 (Retry-After: 2); every chat write in the outage window after it gets 500.</summary>
    private sealed class OutageScript(TimeSpan outage)
    {
        private readonly Lock _lock = new();
        private DateTimeOffset? _began;

        public StubAnswer? Answer(SlackApiStub.Call call)
        {
            if (call.Method is not ("chat.postMessage" or "chat.update"))
                return null;
            var now = TimeProvider.System.GetUtcNow();
            lock (_lock)
            {
                if (_began is null)
                {
                    _began = now;
                    return new StubAnswer(429, """{"ok":false,"error":"ratelimited"}""", new Dictionary<string, string> { ["Retry-After"] = "2" });
                }
                if (now - _began < outage)
                    return new StubAnswer(500, """{"ok":false,"error":"internal_error"}""");
            }
            return null;
        }
    }

    /// <summary>Each accepted write as a line: what it did to which incident's message.</summary>
    private static List<string> Describe(IReadOnlyList<SlackExchange> writes)
    {
        var incidentOfTs = new Dictionary<string, string>();
        var lines = new List<string>();
        foreach (var write in writes)
        {
            var text = SlackBlocks.Text(write.Call);
            var incident = IncidentId().Match(text).Value;
            var json = write.Call.Json;
            if (write.Call.Method == "chat.update")
                lines.Add($"update {incidentOfTs.GetValueOrDefault((string)json["ts"]!, "?")}" + (text.Contains("(Acknowledged)", StringComparison.Ordinal) ? " (Acknowledged)" : ""));
            else if ((string?)json["thread_ts"] is { } thread)
                lines.Add($"reply to {incidentOfTs.GetValueOrDefault(thread, "?")}" + (text.Contains(incident, StringComparison.Ordinal) && incidentOfTs.GetValueOrDefault(thread) == incident ? "" : $" (about {incident})"));
            else
            {
                incidentOfTs[TsOf(write.Call)] = incident;
                lines.Add($"post {incident}" + (text.Contains("(Acknowledged)", StringComparison.Ordinal) ? " (Acknowledged)" : ""));
            }
        }
        return lines;
    }

    [GeneratedRegex(@"INC-\d{4}")]
    private static partial Regex IncidentId();
}
