namespace DrBot.Runbooks.Engine;

/// <summary>
/// One change at a time per run in this process. An entry exists only while someone holds or waits
/// for it, so the table holds the runs being worked on, not every run this process ever touched.
/// </summary>
internal sealed class RunLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Runs locked or waited for right now.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    public async Task<IDisposable> LockAsync(string runId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(runId, out entry!))
            {
                entry = new Entry();
                _entries[runId] = entry;
            }
            entry.Users++;
        }
        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(runId, entry);
            throw;
        }
        return new Held(this, runId, entry);
    }

    private void Leave(string runId, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(runId);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users { get; set; }
    }

    private sealed class Held(RunLocks locks, string runId, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                entry.Gate.Release();
                locks.Leave(runId, entry);
            }
        }
    }
}
