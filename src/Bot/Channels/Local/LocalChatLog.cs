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
    string? To,
    DateTimeOffset? ChangedAt = null)
{
    /// <summary>When the message was last posted or updated (files from before updates were timed give the post time).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset LastChange => ChangedAt ?? At;
}

/// <summary>
/// The local incident channel: an ordered list of messages, kept in a file beside the store
/// (<see cref="LocalChatJournal"/>) so cards stay usable after a restart, and pushed to every live
/// subscriber (server-sent events). Several bot replicas may share the file: every access holds a
/// lock file and reloads the journal when another process has written to it since, so a card
/// posted by one replica can be updated by the other.
/// </summary>
public sealed class LocalChatLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly object _gate = new();
    private readonly List<LocalMessage> _messages = [];
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly List<Channel<LocalMessage>> _subscribers = [];
    private readonly string? _path;
    private LocalChatJournal? _journal;
    private long _knownLength = -1;
    private long _next;

    public LocalChatLog(string? path)
    {
        _path = path is null ? null : Path.GetFullPath(path);
        lock (_gate)
        using (Share())
        {
        }
    }

    public IReadOnlyList<LocalMessage> Snapshot()
    {
        lock (_gate)
        using (Share())
            return _messages.ToList();
    }

    public LocalMessage? Find(string id)
    {
        lock (_gate)
        using (Share())
            return _positions.TryGetValue(id, out var at) ? _messages[at] : null;
    }

    public LocalMessage Add(string author, DateTimeOffset at, string text, JsonObject? card, string? threadId, string? privateTo)
    {
        lock (_gate)
        using (Share())
        {
            var message = new LocalMessage($"m-{++_next}", author, at, text, card, threadId, privateTo is not null, privateTo);
            _positions[message.Id] = _messages.Count;
            _messages.Add(message);
            Changed(message);
            return message;
        }
    }

    public LocalMessage? Replace(string id, string text, JsonObject? card, DateTimeOffset at)
    {
        lock (_gate)
        using (Share())
        {
            if (!_positions.TryGetValue(id, out var index))
                return null;
            var updated = _messages[index] with { Text = text, Card = card, ChangedAt = at };
            _messages[index] = updated;
            Changed(updated);
            return updated;
        }
    }

    /// <summary>
    /// Removes the messages last changed before <paramref name="before"/> and rewrites the file without
    /// them (retention); live pages keep what they show until reloaded. Answers how many went.
    /// </summary>
    public int Prune(DateTimeOffset before)
    {
        lock (_gate)
        using (Share())
        {
            // The newest message always stays: ids are numbered on from the highest one in the file,
            // and a reused id would let an old card reference update a new message.
            var newest = _messages.Count == 0 ? null : _messages[^1];
            var removed = _messages.RemoveAll(m => m.LastChange < before && !ReferenceEquals(m, newest));
            if (removed == 0)
                return 0;
            _positions.Clear();
            for (var i = 0; i < _messages.Count; i++)
                _positions[_messages[i].Id] = i;
            if (_journal is not null)
            {
                _journal.Compact(_messages);
                _knownLength = new FileInfo(_path!).Length;
            }
            return removed;
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

    /// <summary>Takes the lock file (when the log has a file) and reloads what another process wrote since.</summary>
    private FileStream? Share()
    {
        if (_path is null)
            return null;
        var held = TakeLockFile();
        var length = File.Exists(_path) ? new FileInfo(_path).Length : 0;
        if (length != _knownLength)
        {
            _journal?.Dispose();
            _journal = LocalChatJournal.Open(_path, Json, out var loaded);
            _messages.Clear();
            _messages.AddRange(loaded);
            _positions.Clear();
            for (var i = 0; i < _messages.Count; i++)
                _positions[_messages[i].Id] = i;
            _next = _messages.Select(m => long.TryParse(m.Id.AsSpan(2), out var n) ? n : 0).DefaultIfEmpty(0).Max();
            _knownLength = File.Exists(_path) ? new FileInfo(_path).Length : 0;
        }
        return held;
    }

    private FileStream TakeLockFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        // In the temp folder, named after the log file, so the data folder holds only the log.
        var lockFile = Path.Combine(Path.GetTempPath(), "drbot-chat-" +
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(_path!)))[..16] + ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 2000)
            {
                Thread.Sleep(5);
            }
        }
    }

    // Called under _gate and the lock file, so the file and the subscribers see the channel's order.
    private void Changed(LocalMessage message)
    {
        if (_journal is not null)
        {
            _journal.Append(message, _messages);
            _knownLength = new FileInfo(_path!).Length;
        }
        foreach (var subscriber in _subscribers)
            subscriber.Writer.TryWrite(message);
    }

    public void Dispose()
    {
        lock (_gate)
            _journal?.Dispose();
    }
}
