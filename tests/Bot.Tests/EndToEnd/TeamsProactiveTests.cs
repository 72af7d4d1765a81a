using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// Posts nobody asked for, from the real bot process: after DrBot is added to a team, an alert
/// reaches the remembered channel as a new conversation.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TeamsProactiveTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task After_DrBot_is_added_to_a_team_an_Alertmanager_alert_is_posted_into_the_remembered_channel()
    {
        await using var teams = await TeamsBotProcess.StartAsync("teams-proactive");
        using (var installed = await teams.PostActivityAsync(teams.Install(), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, installed.StatusCode);

        using (var alert = new HttpRequestMessage(HttpMethod.Post, "api/alerts/alertmanager") { Content = new StringContent(AlertFlowTests.RegionDown, Encoding.UTF8, "application/json") })
        {
            alert.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-alert-token");
            using var accepted = await teams.Bot.Http.SendAsync(alert);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var post = await teams.WaitForCallAsync(c => ConnectorCalls.IsCreateConversation(c) && ConnectorCalls.Text(c).Contains("RegionDown", StringComparison.Ordinal)
            && CardJson.Actions(ConnectorCalls.Card(c)).Any(a => a.Verb == "start-runbook"), Wait, "posting the alert with its Start button");
        var parameters = post.Json;
        Assert.True(parameters["isGroup"]!.GetValue<bool>());
        Assert.Equal(TeamsBotProcess.ChannelId, parameters["channelData"]!["channel"]!["id"]!.GetValue<string>());
        Assert.Equal(BotFrameworkStandIn.Tenant, parameters["channelData"]!["tenant"]!["id"]!.GetValue<string>());
        Assert.Equal(BotFrameworkStandIn.Tenant, parameters["tenantId"]!.GetValue<string>());
        Assert.Equal(TeamsBotProcess.BotAccountId, parameters["bot"]!["id"]!.GetValue<string>());
        Assert.Equal("Bearer " + BotFrameworkStandIn.ConnectorToken, post.Authorization);
        Assert.All(teams.Cloud.ConnectorCalls, c => Assert.StartsWith("/connector/v3/conversations", c.RawPath, StringComparison.Ordinal));
    }
}
