using DrBot.Runbooks.Storage.LiteDb;

namespace DrBot.Bot.Tests.Alerts;

/// <summary>A real LiteDB store in a fresh temporary folder, deleted afterwards.</summary>
internal sealed class TempLiteDbStore : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-alerts-" + Guid.NewGuid().ToString("N"));

    public TempLiteDbStore(TimeProvider? time = null)
    {
        Store = new LiteDbStore(Path.Combine(_folder, "drbot.db"), time ?? TimeProvider.System);
    }

    public LiteDbStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
