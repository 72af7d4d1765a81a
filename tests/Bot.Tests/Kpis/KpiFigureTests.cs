using DrBot.Bot.Kpis;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Kpis;

/// <summary>The KPIs computed from a known record (<see cref="KpiFixture"/>) in a real store.</summary>
public sealed class KpiFigureTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_figures_of_the_last_30_days_come_from_the_fixture()
    {
        await using var bot = InProcessBot.Create();
        await KpiFixture.WriteAsync(bot.Store, bot.Time.GetUtcNow(), None);

        var (report, error) = await bot.Get<KpiService>().ComputeAsync("30d", None);
        Assert.Null(error);
        Assert.NotNull(report);
        Assert.Equal(3, report.Incidents);
        // Two incident failovers and one drill; INC-0004 is older than 30 days.
        Assert.Equal(["INC-0001", "INC-0002", "EX-0004"], report.Recoveries.Select(r => r.Id));
        Assert.Equal([true, false, true], report.Recoveries.Select(r => r.RtoMet));
        Assert.Equal([true, false, true], report.Recoveries.Select(r => r.RpoMet));
        Assert.Equal(TimeSpan.FromMinutes(20), report.Recoveries[1].Rto);
        // Succeeded 1 of succeeded + failed + rolled back (the rejected run is a decision, not a failure).
        Assert.Equal((1, 3), (report.FailoversSucceeded, report.FailoversFinished));
        Assert.Equal(TimeSpan.FromMinutes(60), report.MeanTimeToRecovery);   // (30 + 60 + 90) / 3
        Assert.Equal(TimeSpan.FromMinutes(3), report.MeanTimeToDetect);      // (2 + 4) / 2
        Assert.Equal((2, 3), (report.BackupsSucceeded, report.BackupsTotal));
        Assert.Equal("EX-0004", report.LastExercises.Single(l => l.Kind == "region-failure").Id);
        Assert.Null(report.LastExercises.Single(l => l.Kind == "network-partition").At);
    }

    [Fact]
    public async Task All_time_includes_the_old_incident_and_a_bad_period_is_refused_with_the_valid_forms()
    {
        await using var bot = InProcessBot.Create();
        await KpiFixture.WriteAsync(bot.Store, bot.Time.GetUtcNow(), None);
        var (all, _) = await bot.Get<KpiService>().ComputeAsync("all", None);
        Assert.Equal(4, all!.Incidents);
        Assert.Equal(TimeSpan.FromMinutes((30 + 60 + 90 + 300) / 4.0), all.MeanTimeToRecovery);

        var (none, error) = await bot.Get<KpiService>().ComputeAsync("lastweek", None);
        Assert.Null(none);
        Assert.Contains("7d, 30d", error, StringComparison.Ordinal);
        var reply = await new Rehearsal(bot).SayAsync("alice", "kpis lastweek");
        Assert.True(reply.IsError);
    }

    [Fact]
    public async Task The_kpis_card_carries_the_numbers_and_a_link_and_metrics_carry_the_histograms()
    {
        await using var bot = InProcessBot.Create();
        await KpiFixture.WriteAsync(bot.Store, bot.Time.GetUtcNow(), None);
        var reply = await new Rehearsal(bot).SayAsync("alice", "kpis 30d");
        Assert.False(reply.IsError, reply.Text);
        var facts = reply.Card!.Body.OfType<DrBot.Bot.Cards.FactsBlock>().Single().Facts.ToDictionary(f => f.Name, f => f.Value);
        Assert.Equal("33.3 % (1 of 3)", facts["Failover success rate"]);
        Assert.Equal("66.7 % (2 of 3)", facts["Successful backups"]);
        Assert.Equal("2 of 3 (incidents and drills)", facts["RTO met"]);  // INC-0001 and the drill
        Assert.Contains("http://localhost:5080/kpis?period=30d", reply.Text, StringComparison.Ordinal);

        var (report, _) = await bot.Get<KpiService>().ComputeAsync("all", None);
        var metrics = KpiMetrics.Render(report!);
        Assert.Contains("drbot_recovery_rto_seconds_bucket{tier=\"critical\",source=\"incident\",le=\"900\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("drbot_recovery_rto_seconds_count{tier=\"critical\",source=\"incident\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("drbot_failovers_total{result=\"failed\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("drbot_backup_tests_total{result=\"passed\"} 2", metrics, StringComparison.Ordinal);
    }
}
