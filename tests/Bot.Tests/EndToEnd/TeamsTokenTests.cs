using System.Net;
using System.Security.Cryptography;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// Inbound authentication of the real bot process: the same <c>@DrBot failover west-us</c>
/// activity under each kind of bad token is refused and does nothing — no Connector call, no run,
/// not even its activity id used up — while a good token then gets it done.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TeamsTokenTests
{
    [Fact]
    public async Task Every_kind_of_bad_token_is_refused_with_nothing_done_and_the_same_activity_then_works_with_a_good_one()
    {
        await using var teams = await TeamsBotProcess.StartAsync("teams-tokens");
        using var stranger = RSA.Create(2048);
        var cloud = teams.Cloud;
        const string audience = TeamsBotProcess.AppId;
        var cases = new (string Case, string? Token)[]
        {
            ("bad signature", TestTokens.Create(stranger, "msteams-key", audience, teams.ServiceUrl)),
            ("unknown key", TestTokens.Create(stranger, "unpublished-key", audience, teams.ServiceUrl)),
            ("wrong audience", TestTokens.Create(cloud.TeamsKey, "msteams-key", Guid.NewGuid().ToString(), teams.ServiceUrl)),
            ("wrong issuer", TestTokens.Create(cloud.TeamsKey, "msteams-key", audience, teams.ServiceUrl, issuer: "https://api.botframework.com.attacker.test")),
            ("expired beyond the 5 minute skew", TestTokens.Create(cloud.TeamsKey, "msteams-key", audience, teams.ServiceUrl, expiresIn: TimeSpan.FromMinutes(-7))),
            ("serviceurl claim differing from the activity", TestTokens.Create(cloud.TeamsKey, "msteams-key", audience, "https://connector.attacker.test/teams/")),
            ("key not endorsed for msteams", TestTokens.Create(cloud.WebChatKey, "webchat-key", audience, teams.ServiceUrl)),
            ("no token", null),
        };

        var failover = teams.Message("<at>DrBot</at> failover west-us", TeamsBotProcess.AliceAad, "msg-token-cases");
        foreach (var (name, token) in cases)
        {
            using var response = await teams.PostActivityAsync(failover, token);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden,
                $"{name}: expected 401 or 403, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Give anything that (wrongly) got through time to show up before looking.
        await Task.Delay(1000);
        Assert.Empty(cloud.ConnectorCalls);
        Assert.Empty(cloud.TokenCalls);
        Assert.Empty(await teams.Bot.MessagesAsync()); // a run or incident would have posted its card here too

        // The same activity, properly signed: the refusals did not use up its id, and it acts.
        using (var accepted = await teams.PostActivityAsync(failover, teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await teams.WaitForCallAsync(c => ConnectorCalls.Text(c).Contains("started region-failover", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "answering the accepted activity");
    }
}
