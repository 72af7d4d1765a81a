using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>Runs the store contract against a real PostgreSQL server, in a fresh schema per test.</summary>
[Collection(PostgresStoreCollection.Name)]
public sealed class PostgresStoreContractTests(PostgresServerFixture fixture) : StoreContractTests
{
    // Made before the test starts: the store itself is created lazily, possibly on a busy thread pool.
    private readonly string _connectionString = fixture.Postgres.NewSchema();

    protected override IDrBotStore CreateStore(TimeProvider time) => new PostgresStore(_connectionString, time);
}
