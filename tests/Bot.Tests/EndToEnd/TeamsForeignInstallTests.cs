using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Tests.Teams.Support;
using DrBot.Runbooks.Storage.LiteDb;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The real bot process with a configured incident channel and team: installs elsewhere (another
/// tenant, another team, another channel of the team) never take the incident channel over; the
/// foreign one is audited.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TeamsForeignInstallTests
{
    [Fact]
    public async Task After_installs_elsewhere_the_next_alert_still_goes_to_the_configured_channel_and_the_foreign_one_is_audited()
    {
        var teams = await TeamsBotProcess.StartAsync("teams-foreign-install", new Dictionary<string, string>
        {
            ["DrBot__Teams__ChannelId"] = TeamsBotProcess.ChannelId,
            ["DrBot__Teams__TeamId"] = TeamsBotProcess.TeamId,
        });
        var dataDir = teams.Bot.DataDir;
        await using (teams)
        {
            // The configured serviceUrl is learnt from a message in the incident channel.
            teams.Cloud.Reset();
            await Install(teams, "install-foreign", "19:attacker@thread.tacv2", "19:attacker-team@thread.tacv2", "tenant-elsewhere");
            Assert.Contains(teams.Cloud.ConnectorCalls, c => c.RawPath.Contains("attacker", StringComparison.Ordinal) && c.Body.Contains("not set up for this team", StringComparison.Ordinal));
            await Install(teams, "install-other-team", "19:other@thread.tacv2", "19:other-team@thread.tacv2", BotFrameworkStandIn.Tenant);
            await Install(teams, "install-other-channel", "19:random@thread.tacv2", TeamsBotProcess.TeamId, BotFrameworkStandIn.Tenant);
            using (var said = await teams.PostActivityAsync(teams.Message("<at>DrBot</at> help", TeamsBotProcess.AliceAad, "hello-1"), teams.ValidToken()))
                Assert.Equal(HttpStatusCode.OK, said.StatusCode);

            using (var alert = new HttpRequestMessage(HttpMethod.Post, "api/alerts/alertmanager") { Content = new StringContent(AlertFlowTests.RegionDown, Encoding.UTF8, "application/json") })
            {
                alert.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-alert-token");
                using var accepted = await teams.Bot.Http.SendAsync(alert);
                Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            }

            var post = await teams.WaitForCallAsync(c => ConnectorCalls.IsCreateConversation(c) && ConnectorCalls.Text(c).Contains("RegionDown", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "posting the alert");
            Assert.Equal(TeamsBotProcess.ChannelId, post.Json["channelData"]!["channel"]!["id"]!.GetValue<string>());
            Assert.DoesNotContain(teams.Cloud.ConnectorCalls, c => ConnectorCalls.IsCreateConversation(c)
                && (c.Body.Contains("attacker", StringComparison.Ordinal) || c.Body.Contains("19:other@", StringComparison.Ordinal) || c.Body.Contains("19:random@", StringComparison.Ordinal)));
        }

        using var store = new LiteDbStore(Path.Combine(dataDir, "drbot.db"), TimeProvider.System);
        var audit = await store.ReadAuditAsync(CancellationToken.None);
        var refused = audit.Where(e => e.Action == "teams.install-refused").ToList();
        Assert.Equal(2, refused.Count);
        Assert.Contains(refused, e => e.Subject == "19:attacker@thread.tacv2" && e.Actor == "teams:tenant-elsewhere");
        Assert.Contains(refused, e => e.Subject == "19:other@thread.tacv2" && e.Detail.Contains("DrBot:Teams:TeamId", StringComparison.Ordinal));
    }

    private static async Task Install(TeamsBotProcess teams, string id, string channel, string team, string tenant)
    {
        var install = teams.Install(id);
        install["conversation"]!["id"] = channel;
        install["conversation"]!["tenantId"] = tenant;
        install["channelData"] = new JsonObject
        {
            ["eventType"] = "teamMemberAdded",
            ["tenant"] = new JsonObject { ["id"] = tenant },
            ["team"] = new JsonObject { ["id"] = team },
            ["channel"] = new JsonObject { ["id"] = channel },
        };
        using var response = await teams.PostActivityAsync(install, teams.ValidToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
