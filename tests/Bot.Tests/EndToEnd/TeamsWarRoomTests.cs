using System.Net;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// A P1's war room on Teams through Microsoft Graph, from the real bot process over HTTPS to a Graph
/// stand-in with its own token endpoint (trusted through the same test CA as the Bot Framework stand-in).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TeamsWarRoomTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string> GraphSettings(GraphStandIn graph) => new()
    {
        ["DrBot__Teams__Graph__TeamId"] = GraphStandIn.TeamId,
        ["DrBot__Teams__Graph__AuthorityHost"] = graph.BaseUrl.ToString(),
        ["DrBot__Teams__Graph__BaseUrl"] = graph.GraphUrl.ToString(),
        ["DrBot__Teams__Graph__MeetingOrganizerId"] = GraphStandIn.OrganizerId,
    };

    private static async Task<TeamsBotProcess> StartAsync(string name, GraphStandIn graph, TestCertificateAuthority authority)
    {
        var teams = await TeamsBotProcess.StartAsync(name, GraphSettings(graph), authority);
        using var installed = await teams.PostActivityAsync(teams.Install(), teams.ValidToken());
        Assert.Equal(HttpStatusCode.OK, installed.StatusCode);
        return teams;
    }

    [Fact]
    public async Task A_P1_opens_one_channel_with_its_responders_and_a_meeting_and_the_incident_card_links_both_even_when_the_create_answer_is_lost()
    {
        using var authority = new TestCertificateAuthority();
        await using var graph = await GraphStandIn.StartAsync(authority.ServerCertificate, BotFrameworkStandIn.Tenant, TeamsBotProcess.AppId, "test-secret", GraphStandIn.AllPermissions);
        graph.LoseNextCreateAnswer = true; // as if the bot had crashed between the create and its record
        await using var teams = await StartAsync("teams-war-room", graph, authority);

        await teams.Bot.SendAsync("alice", "incident open P1 East US is down");

        var warRoomPost = await teams.WaitForCallAsync(c => ConnectorCalls.IsCreateConversation(c) && c.Status == 200
            && ConnectorCalls.Text(c).Contains("Discuss the incident in this channel", StringComparison.Ordinal), Wait, "posting the war-room card in its channel");
        var channel = Assert.Single(graph.Channels);
        Assert.Equal("INC-0001 East US is down", (string?)channel["displayName"]);
        Assert.Equal((string?)channel["id"], (string?)warRoomPost.Json["channelData"]!["channel"]!["id"]);
        Assert.All(new[] { TeamsBotProcess.AliceAad, TeamsBotProcess.BobAad }, id => Assert.Contains(id, warRoomPost.Body, StringComparison.Ordinal)); // mentioned
        Assert.Single(graph.Requests, r => r.Method == "POST" && r.Path.EndsWith("/channels", StringComparison.Ordinal));
        Assert.Equal([TeamsBotProcess.AliceAad, TeamsBotProcess.BobAad], graph.TeamMembers.Order());
        var meeting = Assert.Single(graph.Meetings.Values);
        Assert.Equal("INC-0001", (string?)meeting["externalId"]);
        Assert.Contains((string)meeting["joinWebUrl"]!, ConnectorCalls.Text(warRoomPost), StringComparison.Ordinal);

        // The incident card, updated in place, names the channel and the meeting.
        var header = await teams.WaitForCallAsync(c => c.Method == "PUT" && ConnectorCalls.Text(c).Contains("War room", StringComparison.Ordinal), Wait, "linking the war room on the incident card");
        Assert.Contains((string)channel["webUrl"]!, ConnectorCalls.Text(header), StringComparison.Ordinal);
        Assert.Contains((string)meeting["joinWebUrl"]!, ConnectorCalls.Text(header), StringComparison.Ordinal);
        Assert.Contains("Paging", ConnectorCalls.Text(header), StringComparison.Ordinal); // not acknowledged yet: still paging the team

        // App-only tokens from the configured authority for Graph's own scope; every Graph call carries one.
        var token = Assert.Single(graph.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));
        Assert.Contains("grant_type=client_credentials", token.Body, StringComparison.Ordinal);
        Assert.Contains("scope=" + Uri.EscapeDataString(new Uri(graph.BaseUrl, "/.default").ToString()), token.Body, StringComparison.Ordinal);
        Assert.All(graph.Requests.Where(r => r.Path.StartsWith("/v1.0/", StringComparison.Ordinal)), r => Assert.Equal("Bearer " + GraphStandIn.AccessToken, r.Authorization));
    }

    [Fact]
    public async Task Without_Channel_Create_the_war_room_stays_a_thread_and_the_card_and_the_log_say_once_which_permission_is_missing()
    {
        using var authority = new TestCertificateAuthority();
        await using var graph = await GraphStandIn.StartAsync(authority.ServerCertificate, BotFrameworkStandIn.Tenant, TeamsBotProcess.AppId, "test-secret",
            GraphStandIn.AllPermissions.Where(p => p != "Channel.Create"));
        await using var teams = await StartAsync("teams-war-room-403", graph, authority);

        await teams.Bot.SendAsync("alice", "incident open P1 East US is down");
        await teams.Bot.SendAsync("alice", "incident open P1 Payments are failing");

        foreach (var title in new[] { "East US is down", "Payments are failing" })
        {
            var thread = await teams.WaitForCallAsync(c => ConnectorCalls.IsCreateConversation(c) && c.Status == 200
                && ConnectorCalls.Text(c).Contains("Discuss the incident in this thread", StringComparison.Ordinal) && ConnectorCalls.Text(c).Contains(title, StringComparison.Ordinal),
                Wait, $"opening the war room of '{title}' as a thread");
            Assert.Equal(TeamsBotProcess.ChannelId, (string?)thread.Json["channelData"]!["channel"]!["id"]);
            Assert.Contains("Channel.Create", ConnectorCalls.Text(thread), StringComparison.Ordinal);
            Assert.Contains("403", ConnectorCalls.Text(thread), StringComparison.Ordinal);
        }

        var header = await teams.WaitForCallAsync(c => c.Method == "PUT" && ConnectorCalls.Text(c).Contains("thread in the incident channel", StringComparison.Ordinal), Wait, "saying on the incident card why");
        Assert.Contains("Channel.Create", ConnectorCalls.Text(header), StringComparison.Ordinal);
        Assert.Empty(graph.Channels);
        Assert.Empty(graph.Meetings);
        var warnings = teams.Bot.Output.Split('\n').Count(l => l.Contains("grant the application permission Channel.Create", StringComparison.Ordinal));
        Assert.Equal(1, warnings);
    }
}
