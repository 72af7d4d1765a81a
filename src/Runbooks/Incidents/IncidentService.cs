using System.Collections.Concurrent;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Incidents;

/// <summary>
/// Opens incidents and moves them through their lifecycle. Every change is saved, adds a timeline
/// event and an audit entry; a refused change is answered with the reason and changes nothing.
/// Changes to one incident are serialised (load, change, save under a per-incident lock).
/// </summary>
public sealed partial class IncidentService
{
    private readonly IIncidentStore _store;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly DrBotOptions _options;
    private readonly ITimerStore? _timers;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="timers">Where the incident's status-post and escalation timers are kept; without it none are scheduled.</param>
    public IncidentService(IIncidentStore store, AuditLog audit, TimeProvider time, IOptions<DrBotOptions> options, ITimerStore? timers = null)
    {
        _timers = timers;
        _store = store;
        _audit = audit;
        _time = time;
        _options = options.Value;
        Severities = new SeverityPolicy(_options);
        Tiers = new TierPolicy(_options);
    }

    public SeverityPolicy Severities { get; }
    public TierPolicy Tiers { get; }

    public async Task<IncidentResult> OpenAsync(OpenIncidentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var severity = Severities.Normalize(request.Severity);
        if (severity is null)
        {
            return IncidentResult.Refused($"Unknown severity '{request.Severity}' ({Severities.ValidList}).");
        }
        if (string.IsNullOrWhiteSpace(request.Title))
        {
            return IncidentResult.Refused("An incident needs a title saying what is broken.");
        }
        string? region = null;
        if (!string.IsNullOrWhiteSpace(request.Region))
        {
            region = _options.Regions.Keys.FirstOrDefault(r => string.Equals(r, request.Region.Trim(), StringComparison.OrdinalIgnoreCase));
            if (region is null && _options.Regions.Count > 0)
            {
                return IncidentResult.Refused($"Unknown region '{request.Region}' (valid: {string.Join(", ", _options.Regions.Keys)}).");
            }
            region ??= request.Region.Trim();
        }
        var services = request.Services?.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? [];
        var tier = Tiers.Normalize(request.Tier);
        if (request.Tier is not null && tier is null)
        {
            return IncidentResult.Refused($"Unknown tier '{request.Tier}' ({Tiers.ValidList}).");
        }
        tier ??= Tiers.TierFor(services) ?? Tiers.Names[0];

        var now = _time.GetUtcNow();
        var number = await _store.NextSequenceAsync("incident", cancellationToken);
        var (target, _) = Severities.Escalation(severity);
        var incident = new Incident
        {
            Id = $"INC-{number:0000}",
            Title = request.Title.Trim(),
            Severity = severity,
            State = IncidentState.Open,
            Region = region,
            Services = services,
            Tier = tier,
            OpenedBy = request.OpenedBy.ToString(),
            OpenedAt = now,
            DetectedAt = now,
            FailureStartedAt = request.FailureStartedAt,
            NextStatusPostAt = now + _options.StatusUpdates.Interval,
            // Unacknowledged past the response time, the incident escalates (P4 never does).
            NextEscalationAt = target is null ? null : now + Severities.ResponseTime(severity),
        };
        var where = region is null ? "" : $" in {region}";
        var text = $"{severity} opened by {incident.OpenedBy}{where}: {incident.Title} (tier {tier}).";
        incident.Timeline.Add(new TimelineEvent(now, "opened", text, incident.OpenedBy));
        await _store.SaveIncidentAsync(incident, cancellationToken);
        await _audit.RecordAsync(incident.OpenedBy, "incident.opened", incident.Id, text, cancellationToken);
        await ScheduleOpenedAsync(incident, cancellationToken);
        return IncidentResult.Done(incident, $"Opened {incident.Id}: {text}");
    }

    public async Task<IncidentResult> AcknowledgeAsync(string incidentId, Actor who, CancellationToken cancellationToken) =>
        await StopTimersAsync(await TransitionAsync(incidentId, IncidentState.Acknowledged, who, (incident, now) =>
        {
            incident.AcknowledgedAt ??= now;
            // A human has it: escalation stops.
            incident.NextEscalationAt = null;
            return $"Acknowledged by {who}.";
        }, cancellationToken), statusPostsToo: false, cancellationToken);

    public Task<IncidentResult> StartMitigatingAsync(string incidentId, Actor who, CancellationToken cancellationToken) =>
        TransitionAsync(incidentId, IncidentState.Mitigating, who, (incident, now) =>
        {
            var reopened = incident.State == IncidentState.Resolved;
            incident.AcknowledgedAt ??= now;
            incident.NextEscalationAt = null;
            if (reopened)
            {
                incident.ResolvedAt = null;
                incident.NextStatusPostAt = now + _options.StatusUpdates.Interval;
                return $"Reopened by {who}: mitigation resumed.";
            }
            return $"Mitigation started by {who}.";
        }, cancellationToken);

    public async Task<IncidentResult> ResolveAsync(string incidentId, Actor who, CancellationToken cancellationToken) =>
        await StopTimersAsync(await TransitionAsync(incidentId, IncidentState.Resolved, who, (incident, now) =>
        {
            incident.AcknowledgedAt ??= now;
            incident.ResolvedAt = now;
            incident.NextStatusPostAt = null;
            incident.NextEscalationAt = null;
            return $"Resolved by {who}.";
        }, cancellationToken), statusPostsToo: true, cancellationToken);

    public async Task<IncidentResult> CloseAsync(string incidentId, Actor who, CancellationToken cancellationToken) =>
        await StopTimersAsync(await TransitionAsync(incidentId, IncidentState.Closed, who, (incident, now) =>
        {
            incident.ClosedAt = now;
            return $"Closed by {who}.";
        }, cancellationToken), statusPostsToo: true, cancellationToken);

    private Task<IncidentResult> TransitionAsync(string incidentId, IncidentState to, Actor who, Func<Incident, DateTimeOffset, string> apply, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident." + IncidentTransitions.Name(to), (incident, now) =>
        {
            if (!IncidentTransitions.IsAllowed(incident.State, to))
            {
                return Change.Refuse(IncidentTransitions.Refusal(incident, to));
            }
            var text = apply(incident, now);
            incident.State = to;
            return Change.Apply(IncidentTransitions.Name(to), text);
        }, cancellationToken);

    /// <summary>
    /// Loads the incident under its lock, lets <paramref name="change"/> decide and apply, then saves,
    /// adds the timeline event and writes the audit entry. A refusal saves nothing. The save is
    /// optimistic on <see cref="Incident.Version"/>: when another replica saved the incident in between,
    /// the change is reapplied to the fresh copy, so no replica's change is lost.
    /// </summary>
    private async Task<IncidentResult> ChangeAsync(string incidentId, Actor who, string action, Func<Incident, DateTimeOffset, Change> change, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(incidentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var incident = await _store.GetIncidentAsync(incidentId, cancellationToken);
                if (incident is null)
                {
                    return IncidentResult.Refused($"No incident '{incidentId}'. Incident ids look like INC-0001.");
                }
                var now = _time.GetUtcNow();
                var loadedVersion = incident.Version;
                var decision = change(incident, now);
                if (decision.Refusal is not null)
                {
                    return IncidentResult.Refused(decision.Refusal, incident);
                }
                if (decision.Unchanged)
                {
                    return IncidentResult.Done(incident, decision.Text);
                }
                incident.Timeline.Add(new TimelineEvent(now, decision.Kind, decision.Text, who.ToString()));
                if (!await _store.TryUpdateIncidentAsync(incident, loadedVersion, cancellationToken))
                {
                    if (attempt >= MaxUpdateAttempts)
                    {
                        return IncidentResult.Refused($"{incidentId} is being changed by another replica right now; try again in a moment.", incident);
                    }
                    continue;
                }
                await _audit.RecordAsync(who.ToString(), action, incident.Id, decision.Text, cancellationToken);
                return IncidentResult.Done(incident, $"{incident.Id}: {decision.Text}");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Optimistic retries before a change under heavy contention is refused (and can be repeated).</summary>
    private const int MaxUpdateAttempts = 20;

    private readonly record struct Change(string Kind, string Text, string? Refusal, bool Unchanged)
    {
        public static Change Apply(string kind, string text) => new(kind, text, null, false);
        public static Change Refuse(string reason) => new("", "", reason, false);
        /// <summary>Already so (a repeated link): answered as done, nothing written.</summary>
        public static Change Nothing(string text) => new("", text, null, true);
    }
}
