using System.Text.RegularExpressions;
using DrBot.Runbooks.People;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Policy;

/// <summary>
/// Refuses a bad configuration at start, naming the key and what is valid: a severity without a
/// response time, an unknown role, a region named twice, two primaries, an unknown store provider…
/// (Runbooks written in configuration are checked by the runbook definition validator.)
/// </summary>
public sealed partial class DrBotOptionsValidator : IValidateOptions<DrBotOptions>
{
    public static readonly IReadOnlyList<string> StoreProviders = ["LiteDb", "Postgres"];
    public static readonly IReadOnlyList<string> InfrastructureModes = ["Simulated", "Live"];

    private const string Root = DrBotOptions.Section;
    private static readonly string ValidRoles = $"valid: {string.Join(", ", Roles.All)}";

    public ValidateOptionsResult Validate(string? name, DrBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateSeverities(options, errors);
        ValidateTiers(options, errors);
        ValidateRegions(options, errors);
        ValidatePeople(options, errors);
        ValidateStore(options, errors);
        ValidateInfrastructure(options, errors);
        // Data annotations on nested options are not checked by ValidateDataAnnotations: check the ranges here.
        ValidateRange($"{Root}:StatusUpdates:Interval", options.StatusUpdates.Interval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), errors);
        ValidateRange($"{Root}:Approvals:Expiry", options.Approvals.Expiry, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateSeverities(DrBotOptions options, List<string> errors)
    {
        foreach (var (name, severity) in options.Severities)
        {
            var key = $"{Root}:Severities:{name}";
            if (!SeverityName().IsMatch(name))
            {
                errors.Add($"{key}: '{name}' is not a severity name (valid: P1, P2, P3, P4 …).");
            }
            if (severity.ResponseTime is null)
            {
                errors.Add($"{key}:ResponseTime is missing (e.g. \"00:15:00\").");
            }
            else if (severity.ResponseTime <= TimeSpan.Zero)
            {
                errors.Add($"{key}:ResponseTime must be greater than zero (got {severity.ResponseTime}).");
            }
            for (var i = 0; i < severity.Team.Count; i++)
            {
                if (!Roles.IsKnown(severity.Team[i]))
                {
                    errors.Add($"{key}:Team:{i}: unknown role '{severity.Team[i]}' ({ValidRoles}).");
                }
            }
            var target = severity.EscalationTarget;
            var hasTarget = !string.IsNullOrWhiteSpace(target) && !string.Equals(target, "none", StringComparison.OrdinalIgnoreCase);
            if (hasTarget && !Roles.IsKnown(target!))
            {
                errors.Add($"{key}:EscalationTarget: unknown role '{target}' ({ValidRoles}, or none).");
            }
            if (severity.EscalationDelay is { } delay && delay <= TimeSpan.Zero)
            {
                errors.Add($"{key}:EscalationDelay must be greater than zero (got {delay}).");
            }
        }
    }

    private static void ValidateTiers(DrBotOptions options, List<string> errors)
    {
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, tier) in options.Tiers)
        {
            var key = $"{Root}:Tiers:{name}";
            if (tier.Rto <= TimeSpan.Zero)
            {
                errors.Add($"{key}:Rto is missing or not greater than zero (e.g. \"00:15:00\").");
            }
            if (tier.Rpo <= TimeSpan.Zero)
            {
                errors.Add($"{key}:Rpo is missing or not greater than zero (e.g. \"00:05:00\").");
            }
            foreach (var service in tier.Services)
            {
                if (!owners.TryAdd(service, name))
                {
                    errors.Add($"{key}:Services: '{service}' is already in tier '{owners[service]}'; a service belongs to one tier.");
                }
            }
        }
    }

    private static void ValidateRegions(DrBotOptions options, List<string> errors)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var displayNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var primaries = new List<string>();
        foreach (var (name, region) in options.Regions)
        {
            var key = $"{Root}:Regions:{name}";
            if (!seen.TryAdd(name.Trim(), name))
            {
                errors.Add($"{key}: region '{name}' is named twice (also as '{seen[name.Trim()]}'); region names are case-insensitive.");
            }
            if (!string.IsNullOrWhiteSpace(region.DisplayName) && !displayNames.TryAdd(region.DisplayName.Trim(), name))
            {
                errors.Add($"{key}:DisplayName: '{region.DisplayName}' is already the display name of region '{displayNames[region.DisplayName.Trim()]}'.");
            }
            if (string.IsNullOrWhiteSpace(region.Role))
            {
                errors.Add($"{key}:Role is missing (valid: {string.Join(", ", RegionRoles.All)}).");
            }
            else if (!RegionRoles.IsKnown(region.Role))
            {
                errors.Add($"{key}:Role: unknown role '{region.Role}' (valid: {string.Join(", ", RegionRoles.All)}).");
            }
            else if (string.Equals(region.Role, RegionRoles.Primary, StringComparison.OrdinalIgnoreCase))
            {
                primaries.Add(name);
            }
            if (region.Database.ApplicationUrl is { Length: > 0 } url
                && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres") || string.IsNullOrEmpty(uri.Host)))
            {
                errors.Add($"{key}:Database:ApplicationUrl is not a PostgreSQL URL (expected postgresql://[user[:password]@]host[:port]/database).");
            }
        }
        if (options.Regions.Count > 0 && primaries.Count == 0)
        {
            errors.Add($"{Root}:Regions: no region has Role primary; exactly one must.");
        }
        if (primaries.Count > 1)
        {
            errors.Add($"{Root}:Regions: {primaries.Count} regions have Role primary ({string.Join(", ", primaries)}); exactly one may.");
        }
    }

    private static void ValidatePeople(DrBotOptions options, List<string> errors)
    {
        var slackIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var teamsIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, person) in options.People)
        {
            var key = $"{Root}:People:{name}";
            foreach (var role in person.Roles.Where(r => !Roles.IsKnown(r)))
            {
                errors.Add($"{key}:Roles: unknown role '{role}' ({ValidRoles}).");
            }
            // One platform id must map to one person, or approvals could be made under another's name.
            if (!string.IsNullOrWhiteSpace(person.Slack) && !slackIds.TryAdd(person.Slack.Trim(), name))
            {
                errors.Add($"{key}:Slack: user id '{person.Slack}' is also {slackIds[person.Slack.Trim()]}'s.");
            }
            if (!string.IsNullOrWhiteSpace(person.Teams) && !teamsIds.TryAdd(person.Teams.Trim(), name))
            {
                errors.Add($"{key}:Teams: AAD object id '{person.Teams}' is also {teamsIds[person.Teams.Trim()]}'s.");
            }
        }
    }

    private static void ValidateStore(DrBotOptions options, List<string> errors)
    {
        var provider = options.Store.Provider;
        if (!StoreProviders.Contains(provider, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{Root}:Store:Provider: unknown provider '{provider}' (valid: {string.Join(", ", StoreProviders)}).");
        }
        else if (string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(options.Store.Postgres.ConnectionString))
        {
            errors.Add($"{Root}:Store:Postgres:ConnectionString is missing; it is required when {Root}:Store:Provider is Postgres.");
        }
        else if (string.Equals(provider, "LiteDb", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(options.Store.LiteDb.Path))
        {
            errors.Add($"{Root}:Store:LiteDb:Path is missing (default data/drbot.db).");
        }
    }

    private static void ValidateInfrastructure(DrBotOptions options, List<string> errors)
    {
        var mode = options.Infrastructure.Mode;
        if (!InfrastructureModes.Contains(mode, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{Root}:Infrastructure:Mode: unknown mode '{mode}' (valid: {string.Join(", ", InfrastructureModes)}).");
        }
        var factor = options.Infrastructure.SimulatedDelayFactor;
        if (double.IsNaN(factor) || factor < 0 || factor > 100)
        {
            errors.Add($"{Root}:Infrastructure:SimulatedDelayFactor must be between 0 (no delays) and 100 (got {factor}).");
        }
    }

    private static void ValidateRange(string key, TimeSpan value, TimeSpan min, TimeSpan max, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max} (got {value}).");
        }
    }

    [GeneratedRegex("^P[1-9][0-9]?$", RegexOptions.IgnoreCase)]
    private static partial Regex SeverityName();
}
