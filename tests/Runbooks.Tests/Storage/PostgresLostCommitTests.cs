using System.Net;
using System.Net.Sockets;
using System.Text;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>
/// The connection breaks after the server committed but before the store heard so: the store's retry
/// must recognise its own commit (answer true, enqueue nothing twice) instead of answering false
/// because its own claim is now taken. A real PostgreSQL behind a TCP relay that cuts the line right
/// after relaying the server's answer to COMMIT… to nobody.
/// </summary>
[Collection(PostgresStoreCollection.Name)]
public sealed class PostgresLostCommitTests(PostgresServerFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_run_commit_whose_acknowledgement_is_lost_is_recognised_on_retry_and_written_once()
    {
        var direct = await fixture.Postgres.NewSchemaAsync();
        var target = new NpgsqlConnectionStringBuilder(direct);
        await using var relay = CommitCuttingRelay.Start(target.Host!, target.Port);
        var throughRelay = new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = relay.Port, Pooling = false };
        await using var store = new PostgresStore(throughRelay.ConnectionString, new FakeTimeProvider(Start));
        await store.MigrateAsync(CancellationToken.None);
        var run = new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 1, Claim = "run-active:a" };
        var message = new OutboxMessage(0, "local", "", OutboxOperation.Post, "run:run-1:started", "{}", Start);

        relay.CutAfterNextCommit = true;
        var committed = await store.TryCommitAsync(StoreCommit.ForRun(run, [message], claims: ["run-active:a"], owner: "replica-a"), Start, CancellationToken.None);

        Assert.True(relay.Cut, "the relay did not cut the connection after COMMIT");
        Assert.True(committed);
        Assert.Equal(["run:run-1:started"], (await store.ListOutboxAsync(undeliveredOnly: true, CancellationToken.None)).Select(m => m.PostKey));
        Assert.Equal(1, (await store.GetRunAsync("run-1", CancellationToken.None))!.Version);
        Assert.False(await store.TryClaimIdempotencyKeyAsync("run-active:a", Start, CancellationToken.None));
    }

    /// <summary>Relays TCP to PostgreSQL; once armed, swallows the server's answer to the next COMMIT and closes both sides.</summary>
    private sealed class CommitCuttingRelay : IAsyncDisposable
    {
        /// <summary>The simple-query message COMMIT: 'Q', length 11, "COMMIT", NUL (not "READ COMMITTED" in a BEGIN).</summary>
        private static readonly byte[] Commit = Encoding.ASCII.GetBytes("Q\0\0\0\u000BCOMMIT\0");
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly string _host;
        private readonly int _port;

        private CommitCuttingRelay(string host, int port) => (_host, _port) = (host, port);

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public volatile bool CutAfterNextCommit;
        public volatile bool Cut;

        public static CommitCuttingRelay Start(string host, int port)
        {
            var relay = new CommitCuttingRelay(host, port);
            relay._listener.Start();
            _ = relay.AcceptAsync();
            return relay;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = RelayAsync(client);
            }
        }

        private async Task RelayAsync(TcpClient client)
        {
            using var _ = client;
            using var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_host, _port, _stop.Token);
                var commitSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                void CutBoth()
                {
                    Cut = true;
                    client.Client.Close();
                    server.Client.Close();
                }
                await Task.WhenAny(
                    Pump(client.GetStream(), server.GetStream(), chunk => ArmCommit(chunk, commitSent), null),
                    Pump(server.GetStream(), client.GetStream(), _ => { }, () => commitSent.Task.IsCompleted ? CutBoth : null));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // one side went away: the relay of this connection ends
            }
        }

        /// <summary>Marks the COMMIT going through (before it is forwarded, so its answer is swallowed).</summary>
        private void ArmCommit(ReadOnlySpan<byte> chunk, TaskCompletionSource commitSent)
        {
            if (CutAfterNextCommit && chunk.IndexOf(Commit) >= 0)
            {
                CutAfterNextCommit = false;
                commitSent.TrySetResult();
            }
        }

        /// <summary>
        /// Copies bytes. <paramref name="swallow"/> gives, per chunk, what to do instead of forwarding it (the
        /// server's answer once COMMIT went through: cut both sides, so the commit lands and nobody hears it).
        /// </summary>
        private async Task Pump(NetworkStream from, NetworkStream to, Action<byte[]> watch, Func<Action?>? swallow)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    if (swallow?.Invoke() is { } cut)
                    {
                        cut();
                        return;
                    }
                    watch(buffer[..read]);
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // closed
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
