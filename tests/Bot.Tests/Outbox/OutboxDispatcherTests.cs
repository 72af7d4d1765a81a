using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.Freeze;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Outbox;

public sealed class OutboxDispatcherTests
{
    /// <summary>A platform that is down for its first <c>failures</c> calls, then delivers and records what it got.</summary>
    private sealed class OutagePlatform(int failures, TimeSpan? retryAfter) : IChannelAdapter
    {
        private int _calls;
        public List<string> Delivered { get; } = [];
        public Dictionary<string, string> Messages { get; } = [];
        public string Name => "local";

        public Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken) =>
            Task.FromResult(Attempt(() =>
            {
                var id = $"p{Messages.Count + 1}";
                Messages[id] = card.Title;
                Delivered.Add($"post {card.Title}");
                return DeliveryResult.Delivered(id);
            }));

        public Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken) =>
            Task.FromResult(Attempt(() =>
            {
                Messages[platformMessageId] = card.Title;
                Delivered.Add($"update {platformMessageId} {card.Title}");
                return DeliveryResult.Delivered(platformMessageId);
            }));

        public Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken) =>
            PostAsync(conversation, null, card, cancellationToken);

        public Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken) =>
            PostAsync("", null, CardDocument.Text(title), cancellationToken);

        private DeliveryResult Attempt(Func<DeliveryResult> deliver) =>
            ++_calls <= failures ? DeliveryResult.Retry("503 from the platform", retryAfter) : deliver();
    }

    [Fact]
    public async Task With_the_platform_down_for_a_while_nothing_is_lost_nothing_is_doubled_and_order_is_kept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        using var store = new LiteDbStore(Path.Combine(Path.GetTempPath(), $"drbot-outbox-{Guid.NewGuid():N}.db"), time);
        var platform = new OutagePlatform(failures: 7, retryAfter: null);
        var (publisher, dispatcher) = Build(store, platform, time);

        for (var i = 1; i <= 5; i++)
            await publisher.PostAsync($"notice:{i}", CardDocument.Text($"notice {i}"), CancellationToken.None);
        await publisher.PublishAsync("run:R-1", CardDocument.Text("run v1"), CancellationToken.None);
        await publisher.PublishAsync("run:R-1", CardDocument.Text("run v2"), CancellationToken.None);
        await publisher.PublishAsync("run:R-1", CardDocument.Text("run v3"), CancellationToken.None);

        // Drive the dispatcher through the outage with backoff measured on the fake clock.
        for (var round = 0; round < 200 && await store.CountUndeliveredAsync(CancellationToken.None) > 0; round++)
        {
            await dispatcher.DeliverDueAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(0, await store.CountUndeliveredAsync(CancellationToken.None));
        // The run card's updates were queued behind its post during the outage: one post of the newest version.
        Assert.Equal(
            ["post notice 1", "post notice 2", "post notice 3", "post notice 4", "post notice 5", "post run v3"],
            platform.Delivered);
        Assert.Equal("run v3", platform.Messages["p6"]);
    }

    [Fact]
    public async Task A_burst_of_a_thousand_updates_of_a_posted_card_reaches_the_platform_as_one_update_of_the_newest()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        using var store = new LiteDbStore(Path.Combine(Path.GetTempPath(), $"drbot-outbox-{Guid.NewGuid():N}.db"), time);
        var platform = new OutagePlatform(failures: 0, retryAfter: null);
        var (publisher, dispatcher) = Build(store, platform, time);
        await publisher.PublishAsync("alerts:g1", CardDocument.Text("v0"), CancellationToken.None);
        await dispatcher.DeliverDueAsync(CancellationToken.None);

        for (var version = 1; version <= 1000; version++)
            await publisher.PublishAsync("alerts:g1", CardDocument.Text($"v{version}"), CancellationToken.None);
        while (await store.CountUndeliveredAsync(CancellationToken.None) > 0)
            await dispatcher.DeliverDueAsync(CancellationToken.None);

        Assert.Equal(["post v0", "update p1 v1000"], platform.Delivered);
    }

    [Fact]
    public async Task A_Retry_After_from_the_platform_is_honoured_before_the_next_attempt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        using var store = new LiteDbStore(Path.Combine(Path.GetTempPath(), $"drbot-outbox-{Guid.NewGuid():N}.db"), time);
        var platform = new OutagePlatform(failures: 1, retryAfter: TimeSpan.FromSeconds(30));
        var (publisher, dispatcher) = Build(store, platform, time);
        await publisher.PostAsync("notice:1", CardDocument.Text("hello"), CancellationToken.None);

        await dispatcher.DeliverDueAsync(CancellationToken.None); // 429, Retry-After 30 s
        time.Advance(TimeSpan.FromSeconds(29));
        await dispatcher.DeliverDueAsync(CancellationToken.None);
        Assert.Empty(platform.Delivered);
        time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.DeliverDueAsync(CancellationToken.None);
        Assert.Equal(["post hello"], platform.Delivered);
    }

    /// <summary>A platform that records every card it is given.</summary>
    private sealed class RecordingPlatform : IChannelAdapter
    {
        public List<CardDocument> Cards { get; } = [];
        public string Name => "local";

        public Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken)
        {
            Cards.Add(card);
            return Task.FromResult(DeliveryResult.Delivered($"p{Cards.Count}"));
        }

        public Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken) =>
            PostAsync(conversation, null, card, cancellationToken);

        public Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken) =>
            PostAsync(conversation, null, card, cancellationToken);

        public Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken) =>
            PostAsync("", null, CardDocument.Text(title), cancellationToken);
    }

    [Fact]
    public async Task While_a_freeze_holds_every_card_delivered_says_who_froze_and_why_first_and_after_unfreeze_none_does()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));
        using var store = new LiteDbStore(Path.Combine(Path.GetTempPath(), $"drbot-outbox-{Guid.NewGuid():N}.db"), time);
        var platform = new RecordingPlatform();
        var freeze = new RunFreeze(store);
        var signal = new OutboxSignal();
        var publisher = new CardPublisher(store, [platform], new EnabledChannels([new ChatPlatform(platform.Name, () => true, platform, new Roster([]))]), signal, time);
        var dispatcher = new OutboxDispatcher(store, store, [platform], [], signal, time, NullLogger<OutboxDispatcher>.Instance, freezeBanner: new FreezeBanner(freeze, time));
        var state = new FreezeState("bob", "Bob", "waiting for the DNS provider", time.GetUtcNow());
        await freeze.SetAsync(state, CancellationToken.None);

        await publisher.PostAsync("incident:INC-0001", CardDocument.Text("P1 INC-0001 west-us down"), CancellationToken.None);
        await publisher.PostAsync("run:run-1", new CardDocument("run-1", "run-1", Blocks: [new TextBlock($"**{state.Banner}**"), new TextBlock("step 1")]), CancellationToken.None);
        while (await dispatcher.DeliverDueAsync(CancellationToken.None) > 0)
        {
        }
        await freeze.SetAsync(null, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        await publisher.PostAsync("notice:1", CardDocument.Text("after the thaw"), CancellationToken.None);
        while (await dispatcher.DeliverDueAsync(CancellationToken.None) > 0)
        {
        }

        Assert.Equal(3, platform.Cards.Count);
        Assert.Equal($"**{state.Banner}**", ((TextBlock)platform.Cards[0].Body[0]).Text);
        Assert.Contains("Frozen by Bob: waiting for the DNS provider", state.Banner, StringComparison.Ordinal);
        // A run card carries the banner already: not twice.
        Assert.Single(platform.Cards[1].Body.OfType<TextBlock>(), b => b.Text.Contains("Frozen by", StringComparison.Ordinal));
        Assert.DoesNotContain(platform.Cards[2].Body.OfType<TextBlock>(), b => b.Text.Contains("Frozen by", StringComparison.Ordinal));
    }

    private static (CardPublisher, OutboxDispatcher) Build(LiteDbStore store, IChannelAdapter platform, TimeProvider time)
    {
        var signal = new OutboxSignal();
        var enabled = new EnabledChannels([new ChatPlatform(platform.Name, () => true, platform, new Roster([]))]);
        return (new CardPublisher(store, [platform], enabled, signal, time),
                new OutboxDispatcher(store, store, [platform], [], signal, time, NullLogger<OutboxDispatcher>.Instance));
    }
}
