using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.Infrastructure.Postgres;

namespace DrBot.Runbooks.Tests.Infrastructure.Live;

public sealed class RpoBoundTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_bound_is_the_gap_between_the_last_acknowledged_heartbeat_and_the_newest_commit_present_plus_the_silence_after_it()
    {
        // Acknowledged at T+10 (DB clock), seen by the bot at T+10.1; the next heartbeat failed at T+11.1.
        var last = new HeartbeatRecord(42, T.AddSeconds(10), T.AddSeconds(10.1), T.AddSeconds(11.1), TimeSpan.FromSeconds(1));
        var position = new ReplicaPosition(new Heartbeat(40, T.AddSeconds(8)), T.AddSeconds(8.5), "0/1000");

        var bound = RpoBound.Compute("east-us", "west-us", last, position, T.AddSeconds(30))!;

        Assert.Equal(2.5, bound.Seconds); // 10 − 8.5 (newest commit replayed) + 1 s of silence
        Assert.StartsWith("RPO ≤ 2.5 s, heartbeat every 1 s", bound.Text, StringComparison.Ordinal);
        Assert.Contains("then silent 1.0 s", bound.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heartbeat_that_came_late_widens_the_bound_by_the_silence_actually_measured_and_says_so()
    {
        // Interval 1 s, but the next heartbeat failed only 1.8 s after the last acknowledgement (a loaded bot).
        var last = new HeartbeatRecord(42, T.AddSeconds(10), T.AddSeconds(10), T.AddSeconds(11.8), TimeSpan.FromSeconds(1));
        var bound = RpoBound.Compute("east-us", "west-us", last, new ReplicaPosition(new Heartbeat(41, T.AddSeconds(9)), null, null), T.AddSeconds(30))!;

        Assert.Equal(2.8, bound.Seconds);
        Assert.Contains("then silent 1.8 s", bound.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_failed_heartbeat_the_silence_runs_until_now_so_a_stopped_heartbeat_never_understates_the_loss()
    {
        var last = new HeartbeatRecord(42, T.AddSeconds(10), T.AddSeconds(10), null, TimeSpan.FromSeconds(1));
        var bound = RpoBound.Compute("east-us", "west-us", last, new ReplicaPosition(new Heartbeat(42, T.AddSeconds(10)), null, null), T.AddSeconds(70))!;
        Assert.Equal(60, bound.Seconds);
    }

    [Fact]
    public void Without_any_acknowledged_heartbeat_there_is_no_bound()
    {
        Assert.Null(RpoBound.Compute("east-us", "west-us", null, new ReplicaPosition(null, T, null), T));
    }

    [Theory]
    [InlineData("postgresql://app:s%40cret@db.internal:6432/orders?sslmode=require", "db.internal", 6432, "orders", "app")]
    [InlineData("postgres://127.0.0.1/postgres", "127.0.0.1", 5432, "postgres", null)]
    public void Application_urls_become_connection_strings(string url, string host, int port, string database, string? user)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url));
        Assert.Equal(host, b.Host);
        Assert.Equal(port, b.Port);
        Assert.Equal(database, b.Database);
        Assert.Equal(user, b.Username);
        Assert.DoesNotContain("s@cret", PostgresUrl.Describe(url), StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_that_is_not_postgresql_is_refused() =>
        Assert.Throws<FormatException>(() => PostgresUrl.ToConnectionString("mysql://db/orders"));
}
