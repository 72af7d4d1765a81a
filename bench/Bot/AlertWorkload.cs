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
    public const int AlertsPerPost = AlertPayloads.AlertsPerPost;
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

    private byte[] Body(int post) => AlertPayloads.Webhook(_runTag, post);
}
