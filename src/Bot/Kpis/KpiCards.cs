using System.Globalization;
using DrBot.Bot.Cards;
using DrBot.Bot.Views;
using DrBot.Runbooks.Kpis;

namespace DrBot.Bot.Kpis;

/// <summary>The <c>kpis</c> card: the numbers, and a link to the page with the charts.</summary>
public static class KpiCards
{
    public static CardDocument Summary(KpiReport report, string pageUrl)
    {
        var rtoMet = report.Recoveries.Count(r => r.RtoMet == true);
        var rtoMeasured = report.Recoveries.Count(r => r.RtoMet is not null);
        var rpoMet = report.Recoveries.Count(r => r.RpoMet == true);
        var rpoMeasured = report.Recoveries.Count(r => r.RpoMet is not null);
        var facts = new List<Fact>
        {
            new("Incidents", report.Incidents.ToString(CultureInfo.InvariantCulture)),
            new("RTO met", rtoMeasured == 0 ? "no recovery measured" : $"{rtoMet} of {rtoMeasured} (incidents and drills)"),
            new("RPO met", rpoMeasured == 0 ? "no data-loss window measured" : $"{rpoMet} of {rpoMeasured}"),
            new("Failover success rate", Rate(report.FailoverSuccessRate, report.FailoversSucceeded, report.FailoversFinished)),
            new("Practice runs", report.PracticesFinished == 0 ? "none in the period" : $"{report.PracticesSucceeded} of {report.PracticesFinished} succeeded (not counted as failovers)"),
            new("Mean time to recovery", report.MeanTimeToRecovery is { } mttr ? $"{Durations.Format(mttr)} over {report.Recovered} resolved" : "no incident resolved"),
            new("Mean detection time", report.MeanTimeToDetect is { } ttd ? $"{Durations.Format(ttd)} over {report.Detected}" : "no failure start recorded"),
            new("Successful backups", Rate(report.BackupSuccessRate, report.BackupsSucceeded, report.BackupsTotal)),
        };
        foreach (var last in report.LastExercises)
            facts.Add(new Fact($"Last {last.Kind}", last.At is { } at ? $"{at.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({last.Status}, {last.Id})" : "never"));
        return new CardDocument($"📈 DR KPIs, {report.Period.Label}", $"DR KPIs for the {report.Period.Label}: {pageUrl}", CardTone.Accent,
            Blocks: [new FactsBlock(facts), new TextBlock($"Charts: {pageUrl}", Subtle: true)]);
    }

    public static string Rate(double? rate, int part, int whole) =>
        rate is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r * 100:0.#} % ({part} of {whole})") : "none in the period";
}
