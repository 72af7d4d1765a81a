using System.Net;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.Teams;

/// <summary>Signing keys are cached, and fetched again when a token names a key not seen yet.</summary>
public sealed class KeyRolloverTests : IClassFixture<TeamsBotFixture>
{
    private readonly TeamsBotFixture _bot;

    public KeyRolloverTests(TeamsBotFixture bot)
    {
        _bot = bot;
        _bot.Reset();
    }

    [Fact]
    public async Task A_token_from_a_newly_published_key_is_accepted_after_the_keys_are_fetched_again()
    {
        var before = await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad, id: "before-rollover"), _bot.ValidToken());
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var fetchesBefore = _bot.StandIn.MetadataFetches;

        _bot.StandIn.RollOverKeys();
        var token = TestTokens.Create(_bot.StandIn.RolledKey, "rolled-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl);
        var after = await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> status", TeamsBotFixture.AliceAad, id: "after-rollover"), token);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, _bot.Handler.Inputs.Count);
        Assert.True(_bot.StandIn.MetadataFetches > fetchesBefore);
    }

    [Fact]
    public async Task Known_keys_are_not_fetched_again_for_every_request()
    {
        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad, id: "cached-1"), _bot.ValidToken());
        var fetches = _bot.StandIn.MetadataFetches;

        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad, id: "cached-2"), _bot.ValidToken());
        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad, id: "cached-3"), _bot.ValidToken());

        Assert.Equal(fetches, _bot.StandIn.MetadataFetches);
    }
}
