using System.Net;
using System.Text.Json;
using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;

namespace DrBot.Bot.Tests.Alerts.Intake;

/// <summary>
/// Concurrent deliveries are handled in shared batches with one commit: nothing of one delivery is
/// lost to another, one failing delivery fails alone, and replicas on one PostgreSQL store accept
/// each alert once between them.
/// </summary>
public sealed class AlertBatchingTests
{
    private const string Generic = "/api/alerts/generic";

    /// <summary>Alerts <paramref name="ids"/> of one generic group.</summary>
    private static string Body(string group, params int[] ids) =>
        "[" + string.Join(",", ids.Select(id => $$"""{"name":"DiskSpaceLow","status":"firing","id":"disk-{{id}}","group":"{{group}}","region":"east-us"}""")) + "]";

    private static async Task<(int Accepted, int Duplicates)> SummaryAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("accepted").GetInt32(), json.RootElement.GetProperty("duplicates").GetInt32());
    }

    /// <summary>The dedup keys on the group's record (generic alerts: <c>id:</c> + their id).</summary>
    private static async Task<List<string>> RecordedKeysAsync(IDrBotStore store, string group) =>
        AlertGroupRecord.Read(await store.GetValueAsync(AlertIntake.RecordKey("generic:" + group), CancellationToken.None)).Lines.Select(l => l.Key).ToList();

    [Fact]
    public async Task Concurrent_deliveries_to_one_group_all_land_on_its_record_once()
    {
        await using var host = await AlertWebhookHost.StartAsync();

        // Forty deliveries of overlapping pairs (0,1), (1,2) … (39,40): 41 alerts, each new exactly once.
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => host.PostAsync(Generic, Body("storage", i, i + 1))));
        var summaries = await Task.WhenAll(responses.Select(SummaryAsync));

        Assert.Equal(41, summaries.Sum(s => s.Accepted));
        Assert.Equal(39, summaries.Sum(s => s.Duplicates));
        var keys = await RecordedKeysAsync(host.Store, "storage");
        Assert.Equal(41, keys.Count);
        Assert.Equal(41, keys.Distinct().Count());
        Assert.Equal(41, host.Sink.Items.Count());
    }

    [Fact]
    public async Task A_delivery_whose_group_fails_is_refused_alone_and_the_others_are_kept()
    {
        await using var host = await AlertWebhookHost.StartAsync();
        host.Sink.FailGroup("generic:broken");

        var broken = host.PostAsync(Generic, Body("broken", 1));
        var others = Enumerable.Range(0, 15).Select(i => host.PostAsync(Generic, Body($"ok-{i}", 100 + i))).ToList();
        var answers = await Task.WhenAll(others.Prepend(broken));

        await AlertWebhookTests.ProblemAsync(answers[0], HttpStatusCode.InternalServerError);
        Assert.All(await Task.WhenAll(answers.Skip(1).Select(SummaryAsync)), s => Assert.Equal((1, 0), s));
        Assert.Empty(await RecordedKeysAsync(host.Store, "broken"));
        for (var i = 0; i < 15; i++)
            Assert.Equal([$"id:disk-{100 + i}"], await RecordedKeysAsync(host.Store, $"ok-{i}"));

        // Nothing of the refused delivery was kept, so the sender's retry is accepted.
        host.Sink.FailGroup(null);
        Assert.Equal((1, 0), await SummaryAsync(await host.PostAsync(Generic, Body("broken", 1))));
        Assert.Equal(["id:disk-1"], await RecordedKeysAsync(host.Store, "broken"));
    }

    [Fact]
    public async Task With_the_store_down_every_delivery_of_a_batch_is_answered_503()
    {
        await using var host = await AlertWebhookHost.StartAsync();
        ((IDisposable)host.Store).Dispose();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => host.PostAsync(Generic, Body($"g-{i}", i))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.StatusCode));
        Assert.Empty(host.Sink.Batches);
    }

    [Fact]
    public async Task Two_replicas_on_one_PostgreSQL_store_accept_each_alert_once_between_them()
    {
        await using var postgres = await TempPostgres.StartAsync();
        var connectionString = await postgres.NewDatabaseAsync();
        await using var storeA = new PostgresStore(connectionString, TimeProvider.System);
        await using var storeB = new PostgresStore(connectionString, TimeProvider.System);
        await storeA.MigrateAsync(CancellationToken.None);
        await using var replicaA = await AlertWebhookHost.StartAsync(sharedStore: storeA);
        await using var replicaB = await AlertWebhookHost.StartAsync(sharedStore: storeB);

        // Alertmanager in HA sends each notification from every instance: both replicas get every delivery
        // of overlapping alerts of one group, racing on its record.
        var deliveries = Enumerable.Range(0, 30).Select(i => Body("shared", i, i + 1, i + 2)).ToList();
        var responses = await Task.WhenAll(deliveries.SelectMany(body => new[] { replicaA.PostAsync(Generic, body), replicaB.PostAsync(Generic, body) }));
        var summaries = await Task.WhenAll(responses.Select(SummaryAsync));

        Assert.Equal(32, summaries.Sum(s => s.Accepted));
        Assert.Equal(60 * 3 - 32, summaries.Sum(s => s.Duplicates));
        var keys = await RecordedKeysAsync(storeA, "shared");
        Assert.Equal(Enumerable.Range(0, 32).Select(i => $"id:disk-{i}").Order(), keys.Order());
    }
}
