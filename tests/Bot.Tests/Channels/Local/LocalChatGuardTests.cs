using System.Net;
using System.Net.Http.Json;
using System.Text;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Channels.Local;

/// <summary>
/// The local web chat against the real bot process over HTTP: what a page on another site, or one
/// that rebinds its DNS name to 127.0.0.1, can send is refused; the page's own requests and scripts
/// with the page's header are served. (The page itself is driven in Chromium by BrowserFailoverTests.)
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LocalChatGuardTests : IAsyncLifetime
{
    private BotProcess _bot = null!;
    private readonly HttpClient _raw = new();

    public async Task InitializeAsync() =>
        _bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-guard-" + Guid.NewGuid().ToString("N")));

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _bot.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string? host, string? origin, bool pageHeader, string path = "api/local/messages")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_bot.BaseUri, path))
        {
            Content = new StringContent("""{"user":"bob","text":"help"}""", Encoding.UTF8, "application/json"),
        };
        if (host is not null)
            request.Headers.Host = host;
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        if (pageHeader)
            request.Headers.Add("X-DrBot-Local", "1");
        using var response = await _raw.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpStatusCode> GetAsync(string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_bot.BaseUri, path));
        request.Headers.Host = host;
        using var response = await _raw.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_rebound_page_naming_another_host_is_refused_even_with_its_own_origin()
    {
        var (status, body) = await PostAsync("evil.example", "https://evil.example", pageHeader: false);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Host 'evil.example' is not served", body, StringComparison.Ordinal);

        // The page's header does not help a foreign Host either (a rebound page could send it).
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("evil.example", null, pageHeader: true)).Status);
    }

    [Fact]
    public async Task Reading_the_channel_or_the_page_under_a_foreign_host_is_refused()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("api/local/messages", "evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/", "evil.example:5080"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("api/local/messages", $"localhost:{_bot.Port}"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/", $"127.0.0.1:{_bot.Port}"));
    }

    [Fact]
    public async Task A_post_from_another_origin_is_refused()
    {
        var (status, body) = await PostAsync(null, "https://evil.example", pageHeader: false);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Origin 'https://evil.example' is not this page's origin", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(null, "null", pageHeader: false, "api/local/actions")).Status);
    }

    [Fact]
    public async Task A_post_without_origin_or_the_pages_header_is_refused_and_changes_nothing()
    {
        var before = (await _bot.MessagesAsync()).Count;
        var (status, body) = await PostAsync(null, null, pageHeader: false);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("X-DrBot-Local", body, StringComparison.Ordinal);
        Assert.Equal(before, (await _bot.MessagesAsync()).Count);
    }

    [Fact]
    public async Task The_pages_own_origin_and_scripts_with_the_header_are_served()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(null, $"http://127.0.0.1:{_bot.Port}", pageHeader: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"localhost:{_bot.Port}", $"http://localhost:{_bot.Port}", pageHeader: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(null, null, pageHeader: true)).Status);
    }
}

/// <summary>When the local chat runs at all, and where it may listen: separate bot processes per setting.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class LocalChatStartupTests
{
    private static string DataDir() => Path.Combine(Path.GetTempPath(), "drbot-local-start-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task In_live_mode_the_local_chat_is_off_unless_enabled_explicitly()
    {
        await using var bot = await BotProcess.StartAsync(DataDir(), new Dictionary<string, string> { ["DrBot__Infrastructure__Mode"] = "Live" });
        using var response = await bot.Http.GetAsync("api/local/people");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var post = await bot.Http.PostAsJsonAsync("api/local/messages", new { user = "bob", text = "approve" });
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    [Fact]
    public async Task Enabled_explicitly_in_live_mode_it_runs_and_warns_at_start()
    {
        await using var bot = await BotProcess.StartAsync(DataDir(), new Dictionary<string, string>
        {
            ["DrBot__Infrastructure__Mode"] = "Live",
            ["DrBot__Local__Enabled"] = "true",
        });
        using var response = await bot.Http.GetAsync("api/local/people");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("local web chat is enabled in Live mode", bot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_refuses_to_start_listening_beyond_loopback()
    {
        var port = ChildProcess.FreePort();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BotProcess.StartAsync(DataDir(), new Dictionary<string, string>
        {
            ["Urls"] = $"http://0.0.0.0:{port}",
        }));
        Assert.Contains("refuses to listen on http://0.0.0.0:", error.Message, StringComparison.Ordinal);
        Assert.Contains("DrBot:Local:AllowRemote=true", error.Message, StringComparison.Ordinal);
    }
}
