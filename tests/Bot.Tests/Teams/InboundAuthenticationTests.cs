using System.Net;
using System.Security.Cryptography;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.Teams;

/// <summary>Every token that is not exactly right is refused over HTTP, and nothing is done.</summary>
public sealed class InboundAuthenticationTests : IClassFixture<TeamsBotFixture>
{
    private readonly TeamsBotFixture _bot;

    public InboundAuthenticationTests(TeamsBotFixture bot)
    {
        _bot = bot;
        _bot.Reset();
    }

    [Fact]
    public async Task A_valid_token_from_the_published_msteams_key_lets_the_message_through()
    {
        var response = await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad), _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task A_token_expired_less_than_five_minutes_ago_is_still_accepted()
    {
        var token = TestTokens.Create(_bot.StandIn.TeamsKey, "msteams-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl, expiresIn: TimeSpan.FromMinutes(-2));

        var response = await _bot.PostActivityAsync(_bot.Message("help", TeamsBotFixture.AliceAad), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task No_token_is_refused_with_401()
    {
        await AssertRefusedAsync(null, HttpStatusCode.Unauthorized, "No bearer token");
    }

    [Fact]
    public async Task A_token_that_is_not_a_jwt_is_refused_with_401()
    {
        await AssertRefusedAsync("not-a-token", HttpStatusCode.Unauthorized, "Invalid token");
    }

    [Fact]
    public async Task A_token_signed_by_another_key_under_a_published_key_id_is_refused()
    {
        using var forger = RSA.Create(2048);
        await AssertRefusedAsync(TestTokens.Create(forger, "msteams-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl), HttpStatusCode.Unauthorized, "InvalidSignature");
    }

    [Fact]
    public async Task A_token_signed_by_an_unpublished_key_is_refused()
    {
        using var unknown = RSA.Create(2048);
        await AssertRefusedAsync(TestTokens.Create(unknown, "unknown-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl), HttpStatusCode.Unauthorized, "KeyNotFound");
    }

    [Fact]
    public async Task A_token_for_another_app_id_is_refused()
    {
        await AssertRefusedAsync(TestTokens.Create(_bot.StandIn.TeamsKey, "msteams-key", "11111111-2222-3333-4444-555555555555", _bot.StandIn.ServiceUrl), HttpStatusCode.Unauthorized, "InvalidAudience");
    }

    [Fact]
    public async Task A_token_from_an_issuer_not_configured_is_refused()
    {
        await AssertRefusedAsync(TestTokens.Create(_bot.StandIn.TeamsKey, "msteams-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl, issuer: "https://evil.example.com"), HttpStatusCode.Unauthorized, "InvalidIssuer");
    }

    [Fact]
    public async Task A_token_expired_beyond_the_five_minute_skew_is_refused()
    {
        await AssertRefusedAsync(TestTokens.Create(_bot.StandIn.TeamsKey, "msteams-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl, expiresIn: TimeSpan.FromMinutes(-10)), HttpStatusCode.Unauthorized, "Expired");
    }

    [Fact]
    public async Task A_token_whose_serviceurl_claim_differs_from_the_activity_is_refused_with_403()
    {
        await AssertRefusedAsync(TestTokens.Create(_bot.StandIn.TeamsKey, "msteams-key", TeamsBotFixture.AppId, "https://attacker.example.com/"), HttpStatusCode.Forbidden, "does not match");
    }

    [Fact]
    public async Task A_token_without_a_serviceurl_claim_is_refused_with_403()
    {
        await AssertRefusedAsync(TestTokens.Create(_bot.StandIn.TeamsKey, "msteams-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl, includeServiceUrl: false), HttpStatusCode.Forbidden, "no serviceurl claim");
    }

    [Fact]
    public async Task A_token_from_a_key_not_endorsed_for_msteams_is_refused_with_403()
    {
        await AssertRefusedAsync(TestTokens.Create(_bot.StandIn.WebChatKey, "webchat-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl), HttpStatusCode.Forbidden, "not endorsed");
    }

    [Fact]
    public async Task A_scheme_other_than_exactly_Bearer_is_refused()
    {
        var activity = _bot.Message("failover west-us", TeamsBotFixture.AliceAad);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + _bot.ValidToken());

        var response = await _bot.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_bot.Handler.Inputs);
    }

    private async Task AssertRefusedAsync(string? token, HttpStatusCode expected, string reason)
    {
        var response = await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> failover west-us", TeamsBotFixture.AliceAad), token);

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_bot.Handler.Inputs);
        Assert.Empty(_bot.StandIn.ConnectorCalls);
        Assert.Null(await _bot.Store.GetValueAsync("teams:serviceurl:19:incident@thread.tacv2;messageid=root-1", CancellationToken.None));
    }
}
