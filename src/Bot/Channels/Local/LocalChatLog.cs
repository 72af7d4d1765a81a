using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace DrBot.Bot.Channels.Local;

/// <summary>One line of the local channel, as the web page and scripts see it.</summary>
public sealed record LocalMessage(
    string Id,
    string Author,
    DateTimeOffset At,
    string Text,
    JsonObject? Card,
    string? ThreadId,
    bool Private,
    string? To);

/// <summary>
/// The local incident channel: an ordered list of messages, kept in a file beside the store
/// (<see cref="LocalChatJournal"/>) so cards stay usable after a restart, and pushed to every live
/// subscriber (server-sent events).
/// </summary>
public sealed class LocalChatLog : IDisposable
{
    private readonly object _gate = new();
    private readonly List<LocalMessage> _messages;
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly List<Channel<LocalMessage>> _subscribers = [];
    private readonly LocalChatJournal? _journal;
    private long _next;

    public LocalChatLog(string? path)
    {
        if (path is null)
        {
            _messages = [];
            return;
        }
        _journal = LocalChatJournal.Open(path, Json, out _messages);
        for (var i = 0; i < _messages.Count; i++)
            _positions[_messages[i].Id] = i;
        _next = _messages.Select(m => long.TryParse(m.Id.AsSpan(2), out var n) ? n : 0).DefaultIfEmpty(0).Max();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<LocalMessage> Snapshot()
    {
        lock (_gate)
            return _messages.ToList();
    }

    public LocalMessage? Find(string id)
    {
        lock (_gate)
            return _positions.TryGetValue(id, out var at) ? _messages[at] : null;
    }

    public LocalMessage Add(string author, DateTimeOffset at, string text, JsonObject? card, string? threadId, string? privateTo)
    {
        lock (_gate)
        {
            var message = new LocalMessage($"m-{++_next}", author, at, text, card, threadId, privateTo is not null, privateTo);
            _positions[message.Id] = _messages.Count;
            _messages.Add(message);
            Changed(message);
            return message;
        }
    }

    public LocalMessage? Replace(string id, string text, JsonObject? card)
    {
        lock (_gate)
        {
            if (!_positions.TryGetValue(id, out var index))
                return null;
            var updated = _messages[index] with { Text = text, Card = card };
            _messages[index] = updated;
            Changed(updated);
            return updated;
        }
    }

    public ChannelReader<LocalMessage> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<LocalMessage>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
            _subscribers.Add(channel);
        cancellationToken.Register(() =>
        {
            lock (_gate)
                _subscribers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    // Called under _gate, so the file and the subscribers see the channel's order.
    private void Changed(LocalMessage message)
    {
        _journal?.Append(message, _messages);
        foreach (var subscriber in _subscribers)
            subscriber.Writer.TryWrite(message);
    }

    public void Dispose()
    {
        lock (_gate)
            _journal?.Dispose();
    }
}
