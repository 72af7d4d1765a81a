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
/// The local incident channel: an ordered list of messages, kept in a JSON file beside the store
/// so cards stay usable after a restart, and pushed to every live subscriber (server-sent events).
/// </summary>
public sealed class LocalChatLog
{
    private readonly object _gate = new();
    private readonly List<LocalMessage> _messages = [];
    private readonly List<Channel<LocalMessage>> _subscribers = [];
    private readonly string? _path;
    private long _next;

    public LocalChatLog(string? path)
    {
        _path = path;
        if (path is not null && File.Exists(path))
        {
            _messages.AddRange(JsonSerializer.Deserialize<List<LocalMessage>>(File.ReadAllText(path), Json) ?? []);
            _next = _messages.Select(m => long.TryParse(m.Id.AsSpan(2), out var n) ? n : 0).DefaultIfEmpty(0).Max();
        }
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
            return _messages.FirstOrDefault(m => m.Id == id);
    }

    public LocalMessage Add(string author, DateTimeOffset at, string text, JsonObject? card, string? threadId, string? privateTo)
    {
        lock (_gate)
        {
            var message = new LocalMessage($"m-{++_next}", author, at, text, card, threadId, privateTo is not null, privateTo);
            _messages.Add(message);
            Changed(message);
            return message;
        }
    }

    public LocalMessage? Replace(string id, string text, JsonObject? card)
    {
        lock (_gate)
        {
            var index = _messages.FindIndex(m => m.Id == id);
            if (index < 0)
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

    // Called under _gate.
    private void Changed(LocalMessage message)
    {
        if (_path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            var temp = _path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(_messages, Json));
            File.Move(temp, _path, overwrite: true);
        }
        foreach (var subscriber in _subscribers)
            subscriber.Writer.TryWrite(message);
    }
}
