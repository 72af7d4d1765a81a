using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Outbox;

/// <summary>
/// One bad message must not silence a channel: a corrupt message, a permanent refusal and a
/// message that keeps failing each go to the dead-letter list, the channel says so, the next
/// message is delivered, and /healthz and /metrics (over HTTP) show it.
/// </summary>
public sealed class OutboxDeadLetterTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
    private readonly LiteDbStore _store;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"drbot-deadletter-{Guid.NewGuid():N}");

    public OutboxDeadLetterTests() =>
        _store = new LiteDbStore(Path.Combine(_dataDir, "drbot.db"), _time);

    public void Dispose() => _store.Dispose();

    /// <summary>Delivers every card except those whose title says "REJECT-ME" (permanent) or "flaky" (always retry).</summary>
    private sealed class PickyPlatform : IChannelAdapter
    {
        public List<string> Delivered { get; } = [];
        public string Name => "local";

        public Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken)
        {
            if (card.Title.Contains("REJECT-ME", StringComparison.Ordinal))
                return Task.FromResult(DeliveryResult.Permanent("channel_not_found"));
            if (card.Title.Contains("flaky", StringComparison.Ordinal))
                return Task.FromResult(DeliveryResult.Retry("503 from the platform"));
            Delivered.Add(card.Title);
            return Task.FromResult(DeliveryResult.Delivered($"p{Delivered.Count}"));
        }

        public Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken) =>
            PostAsync(conversation, null, card, cancellationToken);

        public Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken) =>
            PostAsync(conversation, null, card, cancellationToken);

        public Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken) =>
            PostAsync("", null, CardDocument.Text(title), cancellationToken);
    }

    private (CardPublisher, OutboxDispatcher, PickyPlatform) Build(int maxAttempts = 10)
    {
        var platform = new PickyPlatform();
        var signal = new OutboxSignal();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DrBot:Outbox:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) }).Build();
        return (new CardPublisher(_store, [platform], new EnabledChannels([new ChatPlatform(platform.Name, () => true, platform, new Roster([]))]), signal, _time),
                new OutboxDispatcher(_store, _store, [platform], [], signal, _time, NullLogger<OutboxDispatcher>.Instance, configuration),
                platform);
    }

    private async Task DrainAsync(OutboxDispatcher dispatcher)
    {
        for (var round = 0; round < 100 && await _store.CountUndeliveredAsync(None) > 0; round++)
        {
            await dispatcher.DeliverDueAsync(None);
            _time.Advance(TimeSpan.FromMinutes(5));
        }
        Assert.Equal(0, await _store.CountUndeliveredAsync(None));
    }

    [Fact]
    public async Task A_corrupt_message_followed_by_a_valid_one_the_channel_moves_on_and_says_why()
    {
        var (publisher, dispatcher, platform) = Build();
        await _store.EnqueueAsync(new OutboxMessage(0, "local", "", OutboxOperation.Post, "notice:corrupt", "{\"title\": [not json", _time.GetUtcNow()), None);
        await publisher.PostAsync("notice:valid", CardDocument.Text("the valid one"), None);

        await DrainAsync(dispatcher);

        Assert.Contains("the valid one", platform.Delivered);
        Assert.Contains(platform.Delivered, t => t.StartsWith("1 post could not be delivered to the web chat: unreadable message", StringComparison.Ordinal));
        var dead = Assert.Single(await new OutboxDeadLetters(_store).ListAsync(None));
        Assert.Equal("notice:corrupt", dead.PostKey);
    }

    [Fact]
    public async Task A_permanent_refusal_and_a_message_that_fails_every_attempt_are_dead_lettered_after_the_cap()
    {
        var (publisher, dispatcher, platform) = Build(maxAttempts: 3);
        await publisher.PostAsync("notice:1", CardDocument.Text("REJECT-ME"), None);
        await publisher.PostAsync("notice:2", CardDocument.Text("flaky post"), None);
        await publisher.PostAsync("notice:3", CardDocument.Text("after them"), None);

        await DrainAsync(dispatcher);

        Assert.Equal("after them", platform.Delivered.Single(t => !t.StartsWith("1 post", StringComparison.Ordinal)));
        var dead = await new OutboxDeadLetters(_store).ListAsync(None);
        Assert.Equal(["notice:1", "notice:2"], dead.Select(d => d.PostKey));
        Assert.Equal(3, dead[1].Attempts);
        Assert.Contains("3 attempts failed", dead[1].Reason, StringComparison.Ordinal);
        Assert.Equal(2, platform.Delivered.Count(t => t.StartsWith("1 post could not be delivered", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Healthz_and_metrics_of_the_bot_process_show_the_dead_letters_over_HTTP()
    {
        var (publisher, dispatcher, _) = Build();
        await publisher.PostAsync("notice:1", CardDocument.Text("REJECT-ME"), None);
        await DrainAsync(dispatcher);
        _store.Dispose();

        // The real bot on the same store file.
        await using var bot = await BotProcess.StartAsync(_dataDir);
        using var health = await bot.Http.GetAsync(new Uri("healthz", UriKind.Relative));
        var body = JsonNode.Parse(await health.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("degraded", (string?)body["status"]);
        Assert.Equal("notice:1", (string?)body["deadLetters"]![0]!["postKey"]);
        var metrics = await bot.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("drbot_outbox_dead_letters{channel=\"local\"} 1", metrics, StringComparison.Ordinal);
    }
}
