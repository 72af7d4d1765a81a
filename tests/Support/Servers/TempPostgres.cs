using Npgsql;

namespace DrBot.Tests.Support;

/// <summary>
/// One real PostgreSQL server for the store tests: initdb as the postgres user in a temporary
/// directory, on a free loopback port, stopped and removed on dispose. Each test gets its own
/// empty schema (cheap) or database (for the bot processes), so tests never see each other's rows.
/// </summary>
public sealed class TempPostgres : IAsyncDisposable
{
    private readonly string _root;

    private TempPostgres(string root, PostgresServer server)
    {
        _root = root;
        Server = server;
    }

    public PostgresServer Server { get; }

    public static async Task<TempPostgres> StartAsync(int maxConnections = 120)
    {
        var root = Directory.CreateTempSubdirectory("drbot-pgstore-").FullName;
        var dataDir = Path.Combine(root, "data");
        await ChildProcess.GiveToPostgresAsync(root);
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "initdb"),
            ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"], asPostgres: true);
        var server = PostgresServer.At(dataDir);
        await server.ConfigureAndStartAsync(maxConnections);
        return new TempPostgres(root, server);
    }

    /// <summary>A connection string whose tables land in a new, empty schema.</summary>
    public async Task<string> NewSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE SCHEMA {schema}");
        return SchemaConnectionString(schema);
    }

    /// <summary>Like <see cref="NewSchemaAsync"/>, without async: for constructors.</summary>
    public string NewSchema()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        using var connection = new NpgsqlConnection(Server.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
        command.ExecuteNonQuery();
        return SchemaConnectionString(schema);
    }

    private string SchemaConnectionString(string schema) =>
        $"Host=127.0.0.1;Port={Server.Port};Username=postgres;Database=postgres;Search Path={schema};Maximum Pool Size=30;Timeout=5";

    /// <summary>A connection string on a new, empty database.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var database = "d_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE {database}");
        return $"Host=127.0.0.1;Port={Server.Port};Username=postgres;Database={database};Maximum Pool Size=30;Timeout=5";
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
