using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using DrBot.Bot.Channels;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Hosting;

/// <summary>Limits and leaks against the real bot process over HTTP (and the per-person limit on the real service graph).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RateLimitAndLeakTests
{
    private static string DataDir() => Path.Combine(Path.GetTempPath(), "drbot-limits-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Too_many_requests_from_one_address_get_429_with_Retry_After_and_the_setting_named()
    {
        await using var bot = await BotProcess.StartAsync(DataDir(), new Dictionary<string, string> { ["DrBot__RateLimits__PerIpPerSecond"] = "5" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => bot.Http.GetAsync("api/local/people")));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.True(refused[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("DrBot:RateLimits:PerIpPerSecond", await refused[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The probes are not limited: a load balancer keeps seeing the bot.
        using var health = await bot.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var response in responses)
            response.Dispose();
    }

    [Fact]
    public async Task Event_streams_are_capped_and_local_bodies_are_limited()
    {
        await using var bot = await BotProcess.StartAsync(DataDir(), new Dictionary<string, string> { ["DrBot__RateLimits__EventStreams"] = "1" });

        using var first = await bot.Http.GetAsync("api/local/events", HttpCompletionOption.ResponseHeadersRead);
        using var second = await bot.Http.GetAsync("api/local/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);

        using var huge = await bot.Http.PostAsJsonAsync("api/local/messages", new { user = "bob", text = new string('x', 100_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task The_query_token_still_works_and_is_warned_about_once()
    {
        await using var bot = await BotProcess.StartAsync(DataDir());

        for (var i = 0; i < 2; i++)
        {
            using var alert = await bot.Http.PostAsync("api/alerts/generic?token=test-alert-token",
                new StringContent($$"""{"name":"disk_full_{{i}}","status":"firing","severity":"warning","id":"disk-{{i}}"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, alert.StatusCode);
        }

        var warnings = bot.Output.Split('\n').Count(l => l.Contains("sent its token as ?token= in the URL", StringComparison.Ordinal));
        Assert.Equal(1, warnings);
    }

    [Fact]
    public async Task A_401_for_unreachable_signing_keys_carries_no_host_or_exception_text()
    {
        var closedPort = ChildProcess.FreePort();
        await using var bot = await BotProcess.StartAsync(DataDir(), new Dictionary<string, string>
        {
            ["DrBot__Teams__AppId"] = "6b1f3c2e-8d4a-4b7e-9c1a-2f5d7e9a0b3c",
            ["DrBot__Teams__AppPassword"] = "secret",
            ["DrBot__Teams__TenantId"] = "tenant",
            ["DrBot__Teams__OpenIdMetadataUrl"] = $"https://127.0.0.1:{closedPort}/openid",
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/messages")
        {
            Content = new StringContent("""{"type":"message","serviceUrl":"https://example.invalid/","channelId":"msteams"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");

        using var response = await bot.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_person_sending_too_many_commands_is_slowed_down_others_are_not()
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { ["DrBot:RateLimits:CommandsPerMinute"] = "3" });
        var handler = bot.Get<IChatInputHandler>();
        var roster = bot.Get<Roster>();
        ChatInput Say(string who) => new("local", "local", null, new ChatUser(who, who, roster.ByName(who)), "help", null, null);

        for (var i = 0; i < 3; i++)
            Assert.False((await handler.HandleAsync(Say("alice"), CancellationToken.None)).IsError);
        var fourth = await handler.HandleAsync(Say("alice"), CancellationToken.None);
        var bob = await handler.HandleAsync(Say("bob"), CancellationToken.None);

        Assert.True(fourth.IsError);
        Assert.Contains("DrBot:RateLimits:CommandsPerMinute", fourth.Text, StringComparison.Ordinal);
        Assert.False(bob.IsError);
    }
}
