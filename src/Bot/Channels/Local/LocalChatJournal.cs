using System.Text;
using System.Text.Json;

namespace DrBot.Bot.Channels.Local;

/// <summary>
/// The local channel's file: one JSON line per message version, appended as messages are posted
/// or updated, so a post costs one small write instead of rewriting the whole channel (which grew
/// quadratically and made every command wait behind it). Loading replays the lines: a later line
/// with the same id replaces the earlier one in place. When the file holds far more lines than
/// messages it is rewritten compactly (temporary file, then rename). A torn last line (the process
/// killed mid-write) is skipped. Files of the earlier format (one JSON array) are read and converted.
/// </summary>
internal sealed class LocalChatJournal : IDisposable
{
    private const int MinLinesBeforeCompaction = 1000;
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly string _path;
    private readonly JsonSerializerOptions _json;
    private FileStream? _append;
    private bool _disposed;
    private int _lines;

    private LocalChatJournal(string path, JsonSerializerOptions json)
    {
        _path = path;
        _json = json;
    }

    /// <summary>Opens (or creates) the journal and returns the messages it holds, in channel order.</summary>
    public static LocalChatJournal Open(string path, JsonSerializerOptions json, out List<LocalMessage> messages)
    {
        var journal = new LocalChatJournal(Path.GetFullPath(path), json);
        messages = journal.Load(out var convert);
        if (convert)
            journal.Rewrite(messages);
        return journal;
    }

    /// <summary>Appends one message version. Callers serialise calls (the log's lock).</summary>
    public void Append(LocalMessage message, IReadOnlyList<LocalMessage> all)
    {
        if (_disposed)
        {
            // Shutting down: still keep the message, without holding the file open again.
            using var late = OpenForAppend();
            Write(late, message);
            return;
        }
        var stream = _append ??= OpenForAppend();
        Write(stream, message);
        if (++_lines > Math.Max(MinLinesBeforeCompaction, 2 * all.Count))
            Rewrite(all);
    }

    private void Write(FileStream stream, LocalMessage message)
    {
        stream.Write(JsonSerializer.SerializeToUtf8Bytes(message, _json));
        stream.Write(NewLine);
        // To the operating system at once (as the earlier whole-file write did); no fsync per message.
        stream.Flush();
    }

    private List<LocalMessage> Load(out bool convert)
    {
        var messages = new List<LocalMessage>();
        convert = false;
        if (!File.Exists(_path))
            return messages;
        var text = File.ReadAllText(_path, Encoding.UTF8);
        if (text.TrimStart().StartsWith('['))
        {
            // The earlier format: the whole channel as one JSON array.
            messages.AddRange(JsonSerializer.Deserialize<List<LocalMessage>>(text, _json) ?? []);
            convert = true;
            return messages;
        }
        // A last line without its newline was cut short: rewrite so the next append starts a fresh line.
        convert = text.Length > 0 && !text.EndsWith('\n');
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            LocalMessage? message;
            try
            {
                message = JsonSerializer.Deserialize<LocalMessage>(line, _json);
            }
            catch (JsonException)
            {
                // A line cut short by a crash: the message it would have changed keeps its last whole version.
                convert = true;
                continue;
            }
            if (message?.Id is null)
                continue;
            _lines++;
            if (positions.TryGetValue(message.Id, out var at))
            {
                messages[at] = message;
            }
            else
            {
                positions[message.Id] = messages.Count;
                messages.Add(message);
            }
        }
        return messages;
    }

    /// <summary>Rewrites the file with exactly <paramref name="messages"/> (after some were pruned). Callers serialise calls.</summary>
    public void Compact(IReadOnlyList<LocalMessage> messages) => Rewrite(messages);

    private void Rewrite(IReadOnlyList<LocalMessage> messages)
    {
        _append?.Dispose();
        _append = null;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var message in messages)
            {
                file.Write(JsonSerializer.SerializeToUtf8Bytes(message, _json));
                file.Write(NewLine);
            }
        }
        File.Move(temp, _path, overwrite: true);
        _lines = messages.Count;
    }

    private FileStream OpenForAppend()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        return new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    public void Dispose()
    {
        _disposed = true;
        _append?.Dispose();
        _append = null;
    }
}
