using System.Collections.Concurrent;
using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Runbooks.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Tests.Alerts.Intake;

/// <summary>Records every batch; can be told to fail the next deliveries.</summary>
internal sealed class RecordingAlertSink : IAlertSink
{
    private int _failuresLeft;

    public ConcurrentQueue<AlertBatch> Batches { get; } = new();

    public IEnumerable<(NormalizedAlert Alert, AlertDecision Decision)> Items => Batches.SelectMany(b => b.Items);

    public void FailNext(int times) => Interlocked.Exchange(ref _failuresLeft, times);

    public Task HandleAsync(AlertBatch batch, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("the chat platform is down");
        }
        Batches.Enqueue(batch);
        return Task.CompletedTask;
    }
}

/// <summary>The alert webhooks on a real Kestrel server on 127.0.0.1 (free port) with a real LiteDB store.</summary>
internal sealed class AlertWebhookHost : IAsyncDisposable
{
    public const string Token = "test-alert-token-3f9c";

    private readonly WebApplication _app;
    private readonly TempLiteDbStore _store;

    private AlertWebhookHost(WebApplication app, TempLiteDbStore store, RecordingAlertSink sink, Uri address)
    {
        _app = app;
        _store = store;
        Sink = sink;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }
    public RecordingAlertSink Sink { get; }
    public IDrBotStore Store => _store.Store;

    public static async Task<AlertWebhookHost> StartAsync(string? token = Token, int maxBodyBytes = 64 * 1024)
    {
        var store = new TempLiteDbStore();
        var sink = new RecordingAlertSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Alerts:Token"] = token,
            ["DrBot:Alerts:MaxBodyBytes"] = maxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton<IDrBotStore>(store.Store);
        builder.Services.AddSingleton<IAlertSink>(sink);
        builder.Services.AddAlertIntake(builder.Configuration);

        var app = builder.Build();
        app.MapAlertEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AlertWebhookHost(app, store, sink, new Uri(address));
    }

    /// <summary>POSTs a JSON body with the bearer token (or <paramref name="token"/>; null sends none).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string body, string? token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store.Dispose();
    }
}
