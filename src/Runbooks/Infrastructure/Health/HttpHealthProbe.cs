using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Health;

/// <summary>
/// Probes a region's health URLs side by side: GET with a timeout, 2xx = healthy, latency from the
/// injected clock; EventStore clusters judged by their gossip. A probe never throws: an unreachable
/// service is an unhealthy probe with the reason.
/// </summary>
public sealed class HttpHealthProbe : IHealthProbe
{
    private readonly HttpClient _http;
    private readonly IOptionsMonitor<DrBotOptions> _regions;
    private readonly LiveInfrastructureOptions _options;
    private readonly TimeProvider _time;

    public HttpHealthProbe(HttpClient http, IOptionsMonitor<DrBotOptions> regions, IOptions<LiveInfrastructureOptions> options, TimeProvider time)
    {
        _http = http;
        _regions = regions;
        _options = options.Value;
        _time = time;
    }

    public async Task<RegionHealth> ProbeAsync(string region, CancellationToken cancellationToken)
    {
        var urls = _regions.CurrentValue.Regions.TryGetValue(region, out var r) ? r.Health.Urls : [];
        var probes = await Task.WhenAll(urls.Select(u => ProbeOneAsync(u, cancellationToken)));
        return new RegionHealth(region, _time.GetUtcNow(), probes);
    }

    private async Task<ServiceProbe> ProbeOneAsync(string entry, CancellationToken cancellationToken)
    {
        var target = HealthTarget.Parse(entry);
        if (target is null)
            return new ServiceProbe(entry, entry, false, TimeSpan.Zero, "not an absolute http(s) URL; write https://host/path or name=https://host/path");
        var url = target.Url.GetLeftPart(UriPartial.Path);
        using var deadline = new OperationDeadline(_options.ProbeTimeout, _time, cancellationToken);
        var started = _time.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            var latency = _time.GetElapsedTime(started);
            var code = (int)response.StatusCode;
            if (code is < 200 or > 299)
                return new ServiceProbe(target.Service, url, false, latency, $"HTTP {code} {response.ReasonPhrase}");
            if (!target.IsEventStoreGossip)
                return new ServiceProbe(target.Service, url, true, latency, $"HTTP {code} in {latency.TotalMilliseconds:F0} ms");
            var (healthy, detail) = EventStoreGossip.Evaluate(await response.Content.ReadAsStringAsync(deadline.Token));
            return new ServiceProbe(target.Service, url, healthy, latency, $"EventStore gossip: {detail}");
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            return new ServiceProbe(target.Service, url, false, _time.GetElapsedTime(started), $"no answer within {_options.ProbeTimeout.TotalMilliseconds:F0} ms");
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or IOException)
        {
            return new ServiceProbe(target.Service, url, false, _time.GetElapsedTime(started), $"unreachable: {e.Message}");
        }
    }
}
