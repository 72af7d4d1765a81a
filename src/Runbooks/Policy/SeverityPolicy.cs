using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Policy;

/// <summary>The escalation matrix (P1..P4) as configured: response time, team, escalation target and delay, war room.</summary>
public sealed class SeverityPolicy
{
    private readonly Dictionary<string, SeverityOptions> _severities;

    public SeverityPolicy(IOptions<DrBotOptions> options)
        : this(options.Value)
    {
    }

    public SeverityPolicy(DrBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _severities = new Dictionary<string, SeverityOptions>(
            options.Severities.Count > 0 ? options.Severities : DrBotOptionsDefaults.Create().Severities,
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The configured severity names, most severe first (P1, P2, P3, P4).</summary>
    public IReadOnlyList<string> Names => _severities.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>"valid: P1, P2, P3, P4", for error messages.</summary>
    public string ValidList => $"valid: {string.Join(", ", Names)}";

    /// <summary>The configured name for <paramref name="severity"/> ("p1", "P1" or its label "critical"), or null.</summary>
    public string? Normalize(string? severity)
    {
        if (string.IsNullOrWhiteSpace(severity))
        {
            return null;
        }
        var text = severity.Trim();
        var byName = _severities.Keys.FirstOrDefault(k => string.Equals(k, text, StringComparison.OrdinalIgnoreCase));
        return byName ?? _severities.FirstOrDefault(s => string.Equals(s.Value.Label, text, StringComparison.OrdinalIgnoreCase)).Key;
    }

    public bool IsKnown(string? severity) => Normalize(severity) is not null;

    public SeverityOptions? Find(string? severity) => Normalize(severity) is { } name ? _severities[name] : null;

    /// <summary>The severity's settings, or an error naming the valid severities.</summary>
    public SeverityOptions Get(string severity) =>
        Find(severity) ?? throw new ArgumentException($"Unknown severity '{severity}' ({ValidList}).", nameof(severity));

    /// <summary>How long the team has to acknowledge.</summary>
    public TimeSpan ResponseTime(string severity) => Get(severity).ResponseTime ?? TimeSpan.FromMinutes(15);

    /// <summary>Roles notified when an incident of this severity opens.</summary>
    public IReadOnlyList<string> TeamRoles(string severity) => Get(severity).Team;

    /// <summary>Who is paged when nobody acknowledged, and how long after the opening; null target for none.</summary>
    public (string? Target, TimeSpan? Delay) Escalation(string severity)
    {
        var options = Get(severity);
        var target = string.IsNullOrWhiteSpace(options.EscalationTarget) || string.Equals(options.EscalationTarget, "none", StringComparison.OrdinalIgnoreCase)
            ? null
            : options.EscalationTarget;
        return (target, target is null ? null : options.EscalationDelay ?? options.ResponseTime);
    }

    public bool OpensWarRoom(string severity) => Get(severity).WarRoom;

    public string Label(string severity)
    {
        var options = Get(severity);
        return string.IsNullOrWhiteSpace(options.Label) ? Normalize(severity)! : options.Label;
    }
}
