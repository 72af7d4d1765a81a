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
/// Several bot replicas may share the file: every access holds a lock file beside it and re-reads
/// the file first, so a card posted by one replica can be updated by the other.
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
        lock (_gate)
        using (ShareFile())
        {
        }
    }

    /// <summary>In the temp folder, named after the log file, so the data folder holds only the log.</summary>
    private string LockFile => Path.Combine(Path.GetTempPath(),
        "drbot-chat-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(_path!))))[..16] + ".lock");

    /// <summary>Takes the lock file (when the log has a file) and reloads what other replicas wrote.</summary>
    private FileStream? ShareFile()
    {
        if (_path is null)
            return null;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        FileStream held;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                held = new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                break;
            }
            catch (IOException) when (attempt < 2000)
            {
                Thread.Sleep(5);
            }
        }
        if (File.Exists(_path))
        {
            _messages.Clear();
            _messages.AddRange(JsonSerializer.Deserialize<List<LocalMessage>>(File.ReadAllText(_path), Json) ?? []);
            _next = _messages.Select(m => long.TryParse(m.Id.AsSpan(2), out var n) ? n : 0).DefaultIfEmpty(0).Max();
        }
        return held;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<LocalMessage> Snapshot()
    {
        lock (_gate)
        using (ShareFile())
            return _messages.ToList();
    }

    public LocalMessage? Find(string id)
    {
        lock (_gate)
        using (ShareFile())
            return _messages.FirstOrDefault(m => m.Id == id);
    }

    public LocalMessage Add(string author, DateTimeOffset at, string text, JsonObject? card, string? threadId, string? privateTo)
    {
        lock (_gate)
        using (ShareFile())
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
        using (ShareFile())
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
