using DrBot.Runbooks.Tests.Infrastructure.Servers;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>One real PostgreSQL server shared by the PostgreSQL store tests (each test takes a fresh schema).</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    internal TempPostgres Postgres { get; private set; } = null!;

    public async Task InitializeAsync() => Postgres = await TempPostgres.StartAsync();

    public async Task DisposeAsync() => await Postgres.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresStoreCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres store";
}
