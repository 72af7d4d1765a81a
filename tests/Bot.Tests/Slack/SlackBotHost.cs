using DrBot.Bot.Tests.Support;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Slack;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Slack;

/// <summary>
/// The Slack endpoints on a real Kestrel server (127.0.0.1, free port), wired with AddSlackChannel
/// to a recording handler, an in-memory idempotency store and the Slack stub.
/// </summary>
public sealed class SlackBotHost : IAsyncDisposable
{
    public const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string Token = "xoxb-test-token-never-logged";
    public const string IncidentChannel = "C0INCIDENT";

    public static readonly Person Alice = Person.Of("alice", "Alice", [Roles.OnCall], "U0ALICE", null);
    public static readonly Person Bob = Person.Of("bob", "Bob", [Roles.Lead], "U0BOB", null);

    private readonly WebApplication _app;

    public RecordingChatInputHandler Handler { get; } = new();
    public InMemoryIdempotencyStore Store { get; } = new();
    public CapturingLoggerProvider Logs { get; } = new();
    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _app.Services;

    private SlackBotHost(SlackApiStub stub, string? secret, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Slack:SigningSecret"] = secret,
            ["DrBot:Slack:BotToken"] = Token,
            ["DrBot:Slack:ChannelId"] = IncidentChannel,
            ["DrBot:Slack:ApiBaseUrl"] = stub.ApiBase.ToString(),
        });
        builder.Services.AddSingleton(new Roster([Alice, Bob]));
        builder.Services.AddSingleton<IIdempotencyStore>(Store);
        builder.Services.AddSingleton<IChatInputHandler>(Handler);
        builder.Services.AddSlackChannel(builder.Configuration);
        configure?.Invoke(builder);
        _app = builder.Build();
        _app.MapSlackEndpoints();
    }

    public static async Task<SlackBotHost> StartAsync(SlackApiStub stub, string? secret = Secret, Action<WebApplicationBuilder>? configure = null)
    {
        var host = new SlackBotHost(stub, secret, configure);
        await host._app.StartAsync();
        var address = host._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        return host;
    }

    public static string Now() => TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Posts like Slack does: raw body signed with the secret and timestamp (both overridable to test refusals).</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(
        string path, string body, string contentType = "application/x-www-form-urlencoded",
        string? secret = Secret, string? timestamp = null, Action<HttpRequestMessage>? tweak = null)
    {
        timestamp ??= Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add(SlackSignatureVerifier.TimestampHeader, timestamp);
        if (secret is not null)
        {
            request.Headers.Add(SlackSignatureVerifier.SignatureHeader, SlackSignatureVerifier.Sign(secret, timestamp, Encoding.UTF8.GetBytes(body)));
        }
        tweak?.Invoke(request);
        return await Client.SendAsync(request);
    }

    public static string CommandBody(string command, string text, string userId, string userName, string triggerId, string responseUrl) =>
        Form(new Dictionary<string, string>
        {
            ["token"] = "deprecated",
            ["team_id"] = "T0TEAM",
            ["team_domain"] = "example",
            ["channel_id"] = IncidentChannel,
            ["channel_name"] = "incident-response",
            ["user_id"] = userId,
            ["user_name"] = userName,
            ["command"] = command,
            ["text"] = text,
            ["response_url"] = responseUrl,
            ["trigger_id"] = triggerId,
            ["api_app_id"] = "A0APP",
        });

    /// <summary>application/x-www-form-urlencoded, the way Slack encodes its bodies.</summary>
    public static string Form(IReadOnlyDictionary<string, string> fields) =>
        string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
