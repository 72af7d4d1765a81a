using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Tests.Monitoring;

/// <summary>
/// A service's real <c>/healthz</c> on Kestrel (127.0.0.1, free port): 200 while healthy, 503 while
/// <see cref="Failing"/>. Counts the requests it answered, so a test knows how many probes it saw.
/// </summary>
public sealed class HealthEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HealthEndpoint(WebApplication app) => _app = app;

    public volatile bool Failing;
    public string Url { get; private set; } = "";
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<HealthEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new HealthEndpoint(app);
        app.MapGet("/healthz", () =>
        {
            Interlocked.Increment(ref endpoint._requests);
            return endpoint.Failing
                ? Results.Text("{\"status\":\"unhealthy\",\"reason\":\"database connection refused\"}", "application/json", statusCode: 503)
                : Results.Text("{\"status\":\"healthy\"}", "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = address.TrimEnd('/') + "/healthz";
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
