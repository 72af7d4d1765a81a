using System.Net;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The Connector answering 429 and then 500s to the real bot process: posts and replies wait and
/// then arrive, nothing lost, in order, none twice.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TeamsOutageTests
{
    [Fact]
    public async Task While_the_Connector_answers_429_and_then_500s_posts_wait_and_then_arrive_all_in_order_each_once()
    {
        await using var teams = await TeamsBotProcess.StartAsync("teams-outage");
        using (var installed = await teams.PostActivityAsync(teams.Install(), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, installed.StatusCode);
        teams.Cloud.ScriptConnector((429, "1"), (500, null), (500, null));

        var titles = Enumerable.Range(1, 5).Select(i => $"Ordered incident {i}").ToList();
        foreach (var title in titles)
            await teams.Bot.SendAsync("alice", $"incident open P4 {title}");

        await teams.WaitForCallAsync(c => c.Status == 200 && ConnectorCalls.Text(c).Contains(titles[^1], StringComparison.Ordinal), TimeSpan.FromSeconds(45), "delivering the last incident");
        await Task.Delay(1000); // let any (wrong) repeat arrive before counting
        var calls = teams.Cloud.ConnectorCalls.ToList();

        // The outage hit the head of the queue, which was retried until accepted before anything overtook it.
        Assert.Equal([429, 500, 500, 200], calls.Take(4).Select(c => c.Status));
        Assert.All(calls.Take(4), c => Assert.Contains(titles[0], ConnectorCalls.Text(c), StringComparison.Ordinal));

        // Every accepted post once, in the order the incidents were opened.
        var delivered = calls.Where(c => c.Status == 200).Select(c => titles.FindIndex(t => ConnectorCalls.Text(c).Contains(t, StringComparison.Ordinal))).ToList();
        Assert.Equal([0, 1, 2, 3, 4], delivered);
        Assert.All(calls.Where(c => c.Status == 200), c => Assert.True(ConnectorCalls.IsCreateConversation(c), $"{c.Method} {c.RawPath}"));
    }

    [Fact]
    public async Task The_answer_to_a_command_typed_while_the_Connector_fails_arrives_once_when_it_is_back()
    {
        await using var teams = await TeamsBotProcess.StartAsync("teams-reply-outage");
        teams.Cloud.ScriptConnector((429, "1"), (500, null));
        var thread = TeamsBotProcess.ChannelId + ";messageid=root-7";
        using (var asked = await teams.PostActivityAsync(teams.Message("<at>DrBot</at> help", TeamsBotProcess.BobAad, "msg-help", thread), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);

        await teams.WaitForCallAsync(c => c.Status == 200, TimeSpan.FromSeconds(30), "delivering the answer");
        await Task.Delay(1000); // let any (wrong) repeat arrive before counting
        var calls = teams.Cloud.ConnectorCalls.ToList();
        Assert.Equal([429, 500, 200], calls.Select(c => c.Status));
        Assert.All(calls, c => Assert.Contains("failover-db", ConnectorCalls.Text(c), StringComparison.Ordinal));
        // Delivered into the thread it was asked in.
        Assert.StartsWith($"/connector/v3/conversations/{Uri.EscapeDataString(thread)}/activities", calls[^1].RawPath, StringComparison.Ordinal);
    }
}
