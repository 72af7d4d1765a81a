using System.Globalization;

namespace DrBot.Tests.Support;

/// <summary>One PostgreSQL server in a temporary directory on a free loopback port.</summary>
public sealed class PostgresServer
{
    public static string BinDir { get; } = FindBinDir();

    private PostgresServer(string dataDir, int port)
    {
        DataDir = dataDir;
        Port = port;
    }

    public string DataDir { get; }
    public int Port { get; }
    public bool Killed { get; private set; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=3";
    /// <summary>As a user configures the bot (<c>DrBot:Regions:&lt;region&gt;:Database:ConnectionString</c>): Npgsql's pooling left on.</summary>
    public string BotConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3";

    public static PostgresServer At(string dataDir) => new(dataDir, ChildProcess.FreePort());

    public async Task ConfigureAndStartAsync(int maxConnections = 40)
    {
        var conf = string.Join('\n',
            $"port = {Port}",
            "listen_addresses = '127.0.0.1'",
            $"unix_socket_directories = '{DataDir}'",
            "fsync = off",
            "full_page_writes = off",
            "wal_level = replica",
            "max_wal_senders = 5",
            "hot_standby = on",
            "shared_buffers = 16MB",
            $"max_connections = {maxConnections}",
            "logging_collector = off");
        await File.AppendAllTextAsync(Path.Combine(DataDir, "postgresql.conf"), "\n" + conf + "\n");
        await ChildProcess.GiveToPostgresAsync(DataDir);
        await ChildProcess.RunAsync(Path.Combine(BinDir, "pg_ctl"),
            ["-D", DataDir, "-l", Path.Combine(DataDir, "server.log"), "-w", "-t", "60", "start"], asPostgres: true);
    }

    /// <summary>
    /// Starts a stopped or killed server again on its port (crash recovery runs first). Right after a
    /// SIGKILL the old server processes may still be exiting and hold its shared memory, so a refused
    /// start is tried again for a few seconds.
    /// </summary>
    public async Task StartAgainAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ChildProcess.RunAsync(Path.Combine(BinDir, "pg_ctl"),
                    ["-D", DataDir, "-l", Path.Combine(DataDir, "server.log"), "-w", "-t", "60", "start"], asPostgres: true);
                Killed = false;
                return;
            }
            catch (InvalidOperationException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>
    /// Makes this (stopped or running) server a streaming replica of <paramref name="primary"/> on the same
    /// port, as an operator rejoins an old primary after a switchover: a new base backup with -R.
    /// </summary>
    public async Task ReseedAsReplicaOfAsync(PostgresServer primary)
    {
        await StopAsync();
        await ChildProcess.RunAsync("rm", ["-rf", DataDir]);
        await ChildProcess.RunAsync(Path.Combine(BinDir, "pg_basebackup"),
            ["-h", "127.0.0.1", "-p", primary.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-D", DataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"], asPostgres: true);
        try
        {
            await ConfigureAndStartAsync();
        }
        catch (InvalidOperationException)
        {
            await StartAgainAsync(); // the stopped server's processes may still be exiting: tried again for a few seconds
        }
        Killed = false;
    }

    public int PostmasterPid() =>
        int.Parse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);

    /// <summary>The host dies: SIGKILL the postmaster and its children.</summary>
    public void Kill()
    {
        ChildProcess.KillTree(PostmasterPid());
        Killed = true;
    }

    public async Task StopAsync()
    {
        if (Killed || !File.Exists(Path.Combine(DataDir, "postmaster.pid"))) return;
        try
        {
            await ChildProcess.RunAsync(Path.Combine(BinDir, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"], asPostgres: true, TimeSpan.FromSeconds(20));
        }
        catch (InvalidOperationException)
        {
            Kill();
        }
    }

    private static string FindBinDir()
    {
        var root = "/usr/lib/postgresql";
        var dir = Directory.Exists(root)
            ? Directory.GetDirectories(root).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).FirstOrDefault()
            : null;
        return dir is null
            ? throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql (test.sh does this).")
            : Path.Combine(dir, "bin");
    }
}
