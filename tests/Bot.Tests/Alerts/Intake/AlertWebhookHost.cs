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
    private volatile string? _failingGroup;

    public ConcurrentQueue<AlertBatch> Batches { get; } = new();

    public IEnumerable<(NormalizedAlert Alert, AlertDecision Decision)> Items => Batches.SelectMany(b => b.Items);

    public void FailNext(int times) => Interlocked.Exchange(ref _failuresLeft, times);

    /// <summary>Every batch of this group fails until called again with null.</summary>
    public void FailGroup(string? groupKey) => _failingGroup = groupKey;

    /// <summary>While set, every batch waits here (after signalling <see cref="Entered"/>): the intake's drain loop is stuck.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task HandleAsync(AlertBatch batch, AlertWrites writes, CancellationToken ct)
    {
        if (Hold is { } hold)
        {
            Entered.TrySetResult();
            await hold.Task.WaitAsync(ct);
        }
        if (Interlocked.Decrement(ref _failuresLeft) >= 0 || batch.GroupKey == _failingGroup)
        {
            throw new InvalidOperationException("the chat platform is down");
        }
        Batches.Enqueue(batch);
    }
}

/// <summary>The alert webhooks on a real Kestrel server on 127.0.0.1 (free port) with a real LiteDB store.</summary>
internal sealed class AlertWebhookHost : IAsyncDisposable
{
    public const string Token = "test-alert-token-3f9c";

    private readonly WebApplication _app;
    private readonly TempLiteDbStore? _ownStore;

    private AlertWebhookHost(WebApplication app, IDrBotStore store, TempLiteDbStore? ownStore, RecordingAlertSink sink, Uri address)
    {
        _app = app;
        Store = store;
        _ownStore = ownStore;
        Sink = sink;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }
    public RecordingAlertSink Sink { get; }
    public IDrBotStore Store { get; }

    /// <summary>Starts on <paramref name="sharedStore"/> (several hosts = several replicas), else on a LiteDB store of its own.</summary>
    public AlertIntake Intake => _app.Services.GetRequiredService<AlertIntake>();

    public static async Task<AlertWebhookHost> StartAsync(string? token = Token, int maxBodyBytes = 64 * 1024, IDrBotStore? sharedStore = null, int? maxQueuedDeliveries = null)
    {
        var ownStore = sharedStore is null ? new TempLiteDbStore() : null;
        var store = sharedStore ?? ownStore!.Store;
        var sink = new RecordingAlertSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var settings = new Dictionary<string, string?>
        {
            ["DrBot:Alerts:Token"] = token,
            ["DrBot:Alerts:MaxBodyBytes"] = maxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (maxQueuedDeliveries is { } bound)
        {
            settings["DrBot:Alerts:MaxQueuedDeliveries"] = bound.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<IAlertSink>(sink);
        builder.Services.AddAlertIntake(builder.Configuration);

        var app = builder.Build();
        app.MapAlertEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AlertWebhookHost(app, store, ownStore, sink, new Uri(address));
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
        _ownStore?.Dispose();
    }
}
