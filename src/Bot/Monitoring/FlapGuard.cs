using System.Globalization;
using DrBot.Bot.Cards;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Monitoring;

/// <summary>
/// The trigger cooldown: within <see cref="HealthMonitorOptions.Cooldown"/> of the failover the monitor
/// last started on its own for a region, a new trigger of that region (it recovered and failed again)
/// starts nothing. A card asks a person instead: start the failover (the ordinary start, with its
/// role check and approval gate) or dismiss. Both the hold and the dismissal are audited.
/// </summary>
public sealed class FlapGuard(RunQueries runs, CardPublisher cards, AuditLog audit, IOptions<HealthMonitorOptions> monitorOptions, TimeProvider time)
{
    /// <summary>Who the engine records as the starter of a run the bot started itself.</summary>
    public const string BotStarter = "drbot";

    private readonly HealthMonitorOptions _options = monitorOptions.Value;

    public static string PostKey(string region, DateTimeOffset detectedAt) =>
        $"flap:{region.ToLowerInvariant()}:{detectedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The latest run of the monitor's runbook the bot started automatically away from <paramref name="region"/>
    /// inside the cooldown, else null. Read from the store, so the window holds across restarts and replicas.
    /// </summary>
    public async Task<RunRecord?> RecentAutomaticRunAsync(string region, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - _options.Cooldown;
        return (await runs.ListAllAsync(cancellationToken))
            .Where(r => r.StartedBy == BotStarter && r.StartedAt > since
                && string.Equals(r.Runbook, _options.Runbook, StringComparison.OrdinalIgnoreCase)
                && string.Equals(r.FromRegion, region, StringComparison.OrdinalIgnoreCase))
            .MaxBy(r => r.StartedAt);
    }

    /// <summary>Posts the decision card and audits the hold; returns what happened, for the trigger's result.</summary>
    public async Task<string> HoldAsync(HealthTrigger trigger, RunRecord previous, string incidentId, string target, CancellationToken cancellationToken)
    {
        var region = trigger.Region;
        var cooldown = Durations.Format(_options.Cooldown);
        var outcome = $"{region} failed again {Durations.Format(time.GetUtcNow() - previous.StartedAt)} after the automatic {previous.Runbook} {previous.Id} "
            + $"(cooldown {cooldown}): no second run started; a person decides on the card";
        await audit.RecordAsync(BotStarter, "failover-held", region, $"{trigger.Rule}: {trigger.Reason}; previous run {previous.Id} ({Describe(previous)}); incident {incidentId}", cancellationToken);
        await cards.PostAsync(PostKey(region, trigger.DetectedAt), Card(trigger, previous, incidentId, target, cooldown), cancellationToken);
        return outcome;
    }

    /// <summary>A person dismissed the card: nothing starts, the dismissal is audited.</summary>
    public async Task<string> DismissAsync(string region, string? incidentId, Actor actor, CancellationToken cancellationToken)
    {
        var message = $"{actor.DisplayName} dismissed the failover of {region}{(incidentId is null ? "" : $" on {incidentId}")}: nothing was started.";
        await audit.RecordAsync(actor.ToString(), "failover-dismissed", region, message, cancellationToken);
        return message;
    }

    private static string Describe(RunRecord run) => run.IsFinished ? run.Outcome.ToString().ToLowerInvariant() : "unfinished";

    private CardDocument Card(HealthTrigger trigger, RunRecord previous, string incidentId, string target, string cooldown)
    {
        var region = trigger.Region;
        var title = $"⚠️ {region} failed again within the {cooldown} cooldown: fail over to {target}?";
        var facts = new List<Fact>
        {
            new("Region", region),
            new("Trigger", $"{trigger.Rule}: {trigger.Reason}"),
            new("Previous automatic run", $"{previous.Id} started {Durations.Clock(previous.StartedAt)} ({Describe(previous)})"),
            new("Incident", incidentId),
        };
        var start = new Dictionary<string, string> { [CardVerbs.Runbook] = _options.Runbook, [CardVerbs.Region] = target, [CardVerbs.IncidentId] = incidentId };
        var dismiss = new Dictionary<string, string> { [CardVerbs.Runbook] = _options.Runbook, [CardVerbs.Region] = region, [CardVerbs.IncidentId] = incidentId };
        return new CardDocument(title, title, CardTone.Warning,
            Blocks:
            [
                new TextBlock($"The health monitor does not start a second automatic failover of {region} within {cooldown} (DrBot:Monitoring:Cooldown): the region is flapping. A person decides."),
                new FactsBlock(facts),
            ],
            Buttons:
            [
                new CardButton($"Start {_options.Runbook} to {target}", CardVerbs.StartRunbook, start, ButtonStyle.Positive),
                new CardButton("Dismiss", CardVerbs.DismissFailover, dismiss),
            ]);
    }
}
