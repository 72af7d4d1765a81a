using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Tests.Integrations.Support;

/// <summary>One request a stand-in received, and what it answered.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, string? Authorization, string? ContentType, string Body)
{
    public int Status { get; set; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>An answer: status, JSON body, extra headers.</summary>
public sealed record StandInAnswer(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A local HTTP server on a loopback port that records every request and answers through a
/// service-specific handler (the service's documented API); <see cref="Outages"/> are answered first
/// (a 429 with Retry-After, a 503), as the real service does when it is rate limiting or down.
/// </summary>
public sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly Func<ReceivedRequest, StandInAnswer> _handler;

    private RecordingServer(WebApplication app, Func<ReceivedRequest, StandInAnswer> handler)
    {
        _app = app;
        _handler = handler;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToList();
    public ConcurrentQueue<StandInAnswer> Outages { get; } = new();

    /// <summary>Plain HTTP, or HTTPS with <paramref name="certificate"/> (one a test CA issued, for a bot process that trusts that CA).</summary>
    public static async Task<RecordingServer> StartAsync(Func<ReceivedRequest, StandInAnswer> handler, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (certificate is null)
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        else
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingServer(app, handler);
        app.Map("{**path}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
            context.Request.Headers.Authorization.FirstOrDefault(), context.Request.ContentType, await reader.ReadToEndAsync(context.RequestAborted))
        {
            Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        };
        var answer = Outages.TryDequeue(out var outage) ? outage : _handler(request);
        request.Status = answer.Status;
        _requests.Enqueue(request);
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
