using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DrBot.Bench.Bot;

/// <summary>
/// Benchmark (b): Alertmanager webhook posts (payload version 4), ten alerts each. Every post is its
/// own notification group with ten new alerts (unique fingerprints), except every tenth, which
/// re-delivers the post five places earlier — as Alertmanager does after a timeout — and must be
/// answered as ten duplicates. The alerts match no paging rule (they are recorded on their group's
/// card), so the load is intake, deduplication, the group card and its outbox post.
/// </summary>
internal sealed class AlertWorkload
{
    public const int AlertsPerPost = 10;
    private const int RedeliverEvery = 10;
    private const int RedeliverDistance = 5;

    private readonly HttpClient _http;
    private readonly byte[][] _bodies;
    private readonly string _runTag;
    private long _accepted;
    private long _duplicates;

    public AlertWorkload(HttpClient http, int maxPosts)
    {
        _http = http;
        _runTag = Guid.NewGuid().ToString("N")[..8];
        // Built before the clock starts so the generator only sends.
        _bodies = new byte[maxPosts][];
        for (var i = 0; i < maxPosts; i++)
            _bodies[i] = IsRedelivery(i) ? _bodies[i - RedeliverDistance] : Body(i);
    }

    public long Accepted => Interlocked.Read(ref _accepted);
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>The prefix of the store key of every alert group record this run leaves.</summary>
    public string GroupPrefix => $"alertgroup:alertmanager:{{}}:{{bench=\"{_runTag}\"";

    public static bool IsRedelivery(int index) => index % RedeliverEvery == RedeliverEvery - 1 && index >= RedeliverDistance;

    /// <summary>Posts among the first <paramref name="sent"/> that carried new alerts.</summary>
    public static int UniquePosts(int sent) => Enumerable.Range(0, sent).Count(i => !IsRedelivery(i));

    public async Task<Outcome> SendAsync(int index, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/alerts/alertmanager")
        {
            Content = new ByteArrayContent(_bodies[index]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BotUnderTest.AlertToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            return Outcome.Failed;
        using var summary = JsonDocument.Parse(body);
        Interlocked.Add(ref _accepted, summary.RootElement.GetProperty("accepted").GetInt64());
        Interlocked.Add(ref _duplicates, summary.RootElement.GetProperty("duplicates").GetInt64());
        return Outcome.Ok;
    }

    private byte[] Body(int post)
    {
        var group = $"{{}}:{{bench=\"{_runTag}\",batch=\"{post}\"}}";
        var json = new StringBuilder(4096);
        json.Append(CultureInfo.InvariantCulture, $$"""{"version":"4","groupKey":{{JsonSerializer.Serialize(group)}},"status":"firing","receiver":"drbot","truncatedAlerts":0,""");
        json.Append(CultureInfo.InvariantCulture, $$"""
            "groupLabels":{"batch":"{{post}}"},"commonLabels":{"alertname":"DiskSpaceLow","severity":"warning"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","alerts":[
            """);
        for (var a = 0; a < AlertsPerPost; a++)
        {
            if (a > 0)
                json.Append(',');
            var instance = post * AlertsPerPost + a;
            json.Append(CultureInfo.InvariantCulture, $$"""
                {"status":"firing","labels":{"alertname":"DiskSpaceLow","severity":"warning","region":"east-us","instance":"node-{{instance}}:9100","batch":"{{post}}"},
                "annotations":{"summary":"node-{{instance}} has less than 10% disk space left","value":"8.5"},
                "startsAt":"2026-11-25T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph",
                "fingerprint":"bench{{_runTag}}-{{instance:x8}}"}
                """);
        }
        json.Append("]}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
