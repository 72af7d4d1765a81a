using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>Runs the store contract against a LiteDB file in a fresh temporary folder per test.</summary>
public sealed class LiteDbStoreContractTests : StoreContractTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-store-" + Guid.NewGuid().ToString("N"));

    protected override IDrBotStore CreateStore(TimeProvider time) => new LiteDbStore(Path.Combine(_folder, "nested", "drbot.db"), time);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
