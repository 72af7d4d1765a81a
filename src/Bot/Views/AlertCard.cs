using DrBot.Bot.Alerts;
using DrBot.Bot.Cards;

namespace DrBot.Bot.Views;

/// <summary>
/// The alert card: one per alert group, updated in place as alerts of the group fire and resolve.
/// A region-down alert carries a Start button for the region failover (its gate still applies).
/// </summary>
public static class AlertCard
{
    public static string PostKey(string groupKey) => $"alert:{groupKey}";

    public static CardDocument Build(string groupKey, IReadOnlyList<AlertLine> alerts, string? incidentId, CardButton? proposal)
    {
        var firing = alerts.Count(a => a.Status == "firing");
        var title = firing > 0 ? $"🔔 {firing} alert{(firing == 1 ? "" : "s")} firing: {alerts[0].Name}" : $"✅ Resolved: {alerts[0].Name}";
        var blocks = new List<CardBlock>();
        foreach (var alert in alerts.TakeLast(10))
        {
            var facts = new List<Fact> { new("Status", alert.Status), new("Action", alert.Action) };
            if (alert.Region is not null)
                facts.Add(new Fact("Region", alert.Region));
            if (alert.Value is { } value)
                facts.Add(new Fact("Value", value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)));
            facts.Add(new Fact("Since", Durations.Clock(alert.StartsAt)));
            blocks.Add(new TextBlock($"**{alert.Name}** — {alert.Summary}"));
            blocks.Add(new FactsBlock(facts));
        }
        if (alerts.Count > 10)
            blocks.Add(new ContextBlock($"…and {alerts.Count - 10} earlier alerts in this group"));
        if (incidentId is not null)
            blocks.Add(new ContextBlock($"Incident {incidentId} · group {groupKey}"));
        var buttons = firing > 0 && proposal is not null ? new List<CardButton> { proposal } : [];
        return new CardDocument(title, title, firing > 0 ? CardTone.Attention : CardTone.Good, Blocks: blocks, Buttons: buttons);
    }
}
