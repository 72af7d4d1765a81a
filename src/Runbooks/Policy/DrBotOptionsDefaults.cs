using DrBot.Runbooks.People;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Policy;

/// <summary>
/// Fills what the configuration leaves empty with the strategy's values (DR-STRATEGY.md), so the
/// bot runs on an empty configuration: the P1..P4 escalation matrix (each missing level), and the
/// service tiers and regions (when none are configured at all).
/// </summary>
public sealed class DrBotOptionsDefaults : IPostConfigureOptions<DrBotOptions>
{
    public static readonly IReadOnlyList<string> SeverityNames = ["P1", "P2", "P3", "P4"];

    public void PostConfigure(string? name, DrBotOptions options) => Apply(options);

    public static DrBotOptions Apply(DrBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (severity, defaults) in Severities())
        {
            options.Severities.TryAdd(severity, defaults);
        }
        if (options.Tiers.Count == 0)
        {
            foreach (var (tier, defaults) in Tiers())
            {
                options.Tiers[tier] = defaults;
            }
        }
        if (options.Regions.Count == 0)
        {
            foreach (var (region, defaults) in Regions())
            {
                options.Regions[region] = defaults;
            }
        }
        return options;
    }

    /// <summary>A fresh options object holding only the defaults.</summary>
    public static DrBotOptions Create() => Apply(new DrBotOptions());

    public static IEnumerable<(string Name, SeverityOptions Options)> Severities() =>
    [
        ("P1", new SeverityOptions { Label = "Critical", ResponseTime = TimeSpan.FromMinutes(15), Team = [Roles.OnCall, Roles.Lead], EscalationTarget = Roles.Cto, EscalationDelay = TimeSpan.FromMinutes(30), WarRoom = true }),
        ("P2", new SeverityOptions { Label = "High", ResponseTime = TimeSpan.FromMinutes(30), Team = [Roles.OnCall], EscalationTarget = Roles.EngineeringLead, EscalationDelay = TimeSpan.FromMinutes(30) }),
        ("P3", new SeverityOptions { Label = "Medium", ResponseTime = TimeSpan.FromHours(2), Team = [Roles.PrimaryTeam], EscalationTarget = Roles.OnCall, EscalationDelay = TimeSpan.FromHours(2) }),
        ("P4", new SeverityOptions { Label = "Low", ResponseTime = TimeSpan.FromHours(8), Team = [Roles.PrimaryTeam] }),
    ];

    public static IEnumerable<(string Name, TierOptions Options)> Tiers() =>
    [
        ("critical", new TierOptions { Rto = TimeSpan.FromMinutes(15), Rpo = TimeSpan.FromMinutes(5), Services = ["core-api", "auth-service", "postgresql", "dragonfly"] }),
        ("important", new TierOptions { Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(15), Services = ["graphql-gateway", "ai-engine", "eventstore", "frontend"] }),
        ("non-critical", new TierOptions { Rto = TimeSpan.FromHours(4), Rpo = TimeSpan.FromHours(1), Services = ["monitoring", "log-aggregation", "reporting", "background-jobs"] }),
    ];

    public static IEnumerable<(string Name, RegionOptions Options)> Regions() =>
    [
        ("east-us", new RegionOptions { Role = RegionRoles.Primary, DisplayName = "East US" }),
        ("west-us", new RegionOptions { Role = RegionRoles.Secondary, DisplayName = "West US" }),
        ("north-europe", new RegionOptions { Role = RegionRoles.Backup, DisplayName = "North Europe" }),
    ];
}

/// <summary>The roles a region plays in the active-passive setup.</summary>
public static class RegionRoles
{
    /// <summary>Active: takes the traffic and the writes.</summary>
    public const string Primary = "primary";
    /// <summary>Passive standby: database replica, cluster scaled down, traffic endpoint disabled.</summary>
    public const string Secondary = "secondary";
    /// <summary>Data only: a database replica and backups, no application.</summary>
    public const string Backup = "backup";

    public static readonly IReadOnlyList<string> All = [Primary, Secondary, Backup];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.OrdinalIgnoreCase);
}
