using DrBot.Runbooks.Infrastructure.Health;
using DrBot.Runbooks.Tests.Infrastructure.Servers;

namespace DrBot.Runbooks.Tests.Infrastructure.Health;

[Collection(HttpFakesCollection.Name)]
public sealed class HttpHealthProbeTests
{
    private static HttpHealthProbe Probe(IEnumerable<string> urls, TimeSpan? timeout = null) =>
        new(new HttpClient(),
            LiveTestOptions.Regions(r => r["east-us"] = new() { Health = { Urls = urls.ToList() } }),
            LiveTestOptions.Timeouts(o => o.ProbeTimeout = timeout ?? TimeSpan.FromSeconds(2)),
            TimeProvider.System);

    [Fact]
    public async Task Each_url_is_probed_and_only_2xx_answers_count_as_healthy()
    {
        await using var server = new RecordingHttpServer(r => r.Path switch
        {
            "/healthz" => new CannedResponse(200, "ok", new Dictionary<string, string> { ["Content-Type"] = "text/plain" }),
            "/ready" => new CannedResponse(503, """{"status":"draining"}"""),
            _ => new CannedResponse(404),
        });
        var probe = Probe([$"core-api={server.BaseUri}healthz", $"{server.BaseUri}ready?token=abc", "not a url"]);

        var health = await probe.ProbeAsync("east-us", default);

        Assert.Equal(3, health.Probes.Count);
        var core = health.Probes.Single(p => p.Service == "core-api");
        Assert.True(core.Healthy, core.Detail);
        Assert.True(core.Latency > TimeSpan.Zero);
        var ready = health.Probes.Single(p => p.Service == "127.0.0.1/ready");
        Assert.False(ready.Healthy);
        Assert.Contains("503", ready.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("token=abc", ready.Target, StringComparison.Ordinal);
        Assert.Contains("absolute http(s) URL", health.Probes.Single(p => p.Service == "not a url").Detail, StringComparison.Ordinal);
        Assert.False(health.Healthy);
        Assert.Equal(2 / 3.0, health.ErrorRate, 3);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_in_time_or_at_all_is_unhealthy_with_the_reason()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(); // accepts the connection, never answers
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var probe = Probe([$"http://127.0.0.1:{port}/healthz", $"http://127.0.0.1:{ChildProcess.FreePort()}/healthz"], TimeSpan.FromMilliseconds(1500));

        var health = await probe.ProbeAsync("east-us", default);

        Assert.True(health.Unreachable);
        Assert.Contains("no answer within 1500 ms", health.Probes[0].Detail, StringComparison.Ordinal);
        Assert.Contains("unreachable", health.Probes[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_eventstore_cluster_is_healthy_through_its_gossip_only_with_a_live_leader_and_quorum()
    {
        var gossip = """{"members":[{"state":"Leader","isAlive":true,"httpEndPointIp":"10.0.0.1"},{"state":"Follower","isAlive":true},{"state":"Follower","isAlive":false}]}""";
        await using var server = new RecordingHttpServer(_ => new CannedResponse(200, gossip));
        var probe = Probe([$"eventstore={server.BaseUri}gossip"]);

        var healthy = await probe.ProbeAsync("east-us", default);
        gossip = """{"members":[{"state":"Leader","isAlive":false},{"state":"Follower","isAlive":true},{"state":"Follower","isAlive":false}]}""";
        var leaderless = await probe.ProbeAsync("east-us", default);

        Assert.True(healthy.Healthy, healthy.Probes[0].Detail);
        Assert.Contains("2/3 members alive, leader 10.0.0.1", healthy.Probes[0].Detail, StringComparison.Ordinal);
        Assert.False(leaderless.Healthy);
        Assert.Contains("no live leader", leaderless.Probes[0].Detail, StringComparison.Ordinal);
    }
}
