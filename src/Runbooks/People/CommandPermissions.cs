using DrBot.Runbooks.People;
using Microsoft.Extensions.Configuration;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.People;

/// <summary>
/// Who may do what, as one policy: each command that changes something names the roles that may
/// run it (<c>DrBot:Permissions:&lt;command&gt;</c>, a list or a comma-separated string). Two
/// pseudo-roles: <c>roster</c> (anyone on the roster) and <c>commander</c> (the commander of the
/// incident the command acts on). Commands not listed need only a place on the roster.
/// </summary>
public sealed class CommandPermissions
{
    public const string Section = "DrBot:Permissions";
    public const string AnyoneOnRoster = "roster";
    public const string Commander = "commander";

    // Command names, as configured and as the router reports them.
    public const string Cancel = "cancel";
    public const string Rollback = "rollback";
    public const string IncidentOpen = "incident-open";
    public const string IncidentAck = "incident-ack";
    public const string IncidentResolve = "incident-resolve";
    public const string IncidentClose = "incident-close";
    public const string IncidentCommander = "incident-commander";
    public const string IncidentStatus = "incident-status";
    public const string Update = "update";
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string Drill = "drill";
    public const string AuditVerify = "audit-verify";
    public const string Freeze = "freeze";
    public const string Unfreeze = "unfreeze";

    private static readonly string[] StartRoles = [Roles.OnCall, Roles.Lead];

    private static readonly Dictionary<string, string[]> FixedDefaults = new(StringComparer.OrdinalIgnoreCase)
    {
        [Cancel] = [Roles.Lead],
        [Rollback] = [Roles.Lead],
        [IncidentClose] = [Roles.Lead, Commander],
        [Drill] = [Roles.Lead],
        [Freeze] = [Roles.Lead],
        [Unfreeze] = [Roles.Lead],
    };

    private static readonly string[] RosterOnly =
        [IncidentOpen, IncidentAck, IncidentResolve, IncidentCommander, IncidentStatus, Update, Approve, Reject, AuditVerify];

    private readonly Dictionary<string, string[]> _rules;

    /// <param name="startCommands">The commands that start a runbook (failover, failover-db, …, and configured runbooks): on-call and leads by default.</param>
    public CommandPermissions(IConfiguration configuration, IEnumerable<string> startCommands)
    {
        _rules = new Dictionary<string, string[]>(FixedDefaults, StringComparer.OrdinalIgnoreCase);
        foreach (var command in startCommands)
            _rules.TryAdd(command, StartRoles);
        foreach (var command in RosterOnly)
            _rules[command] = [AnyoneOnRoster];

        var errors = new List<string>();
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            var key = $"{Section}:{entry.Key}";
            if (!_rules.ContainsKey(entry.Key))
            {
                errors.Add($"{key}: unknown command. Commands: {string.Join(", ", _rules.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }
            var roles = (entry.Value is { } single ? single.Split(',') : entry.GetChildren().Select(c => c.Value ?? ""))
                .Select(r => r.Trim()).Where(r => r.Length > 0).ToArray();
            var unknown = roles.Where(r => !Roles.IsKnown(r) && r != AnyoneOnRoster && r != Commander).ToList();
            if (roles.Length == 0)
                errors.Add($"{key} names no role. Valid: {string.Join(", ", Roles.All)}, {Commander}, {AnyoneOnRoster}.");
            else if (unknown.Count > 0)
                errors.Add($"{key}: unknown role(s) {string.Join(", ", unknown)}. Valid: {string.Join(", ", Roles.All)}, {Commander}, {AnyoneOnRoster}.");
            else
                _rules[entry.Key] = roles;
        }
        if (errors.Count > 0)
            throw new InvalidOperationException("Bad permissions configuration: " + string.Join(" ", errors));
    }

    public IReadOnlyList<string> RolesFor(string command) =>
        _rules.TryGetValue(command, out var roles) ? roles : [AnyoneOnRoster];

    /// <summary>Null when the person may run the command; otherwise why not, in words for the person.</summary>
    public string? Refusal(string command, Person? person, bool isCommander)
    {
        if (person is null)
            return "you are not on the DrBot roster";
        var roles = RolesFor(command);
        if (roles.Any(r => r == AnyoneOnRoster || r == Commander && isCommander || person.HasRole(r)))
            return null;
        var needed = string.Join(" or ", roles.Select(r => r == Commander ? "the incident's commander" : r));
        var held = person.Roles.Count == 0 ? "no role" : string.Join(", ", person.Roles);
        return $"`{command}` needs {needed} ({Section}:{command}); {person.DisplayName} has {held}";
    }

    /// <summary>True when the command needs to know whether the person commands the incident.</summary>
    public bool DependsOnCommander(string command) => RolesFor(command).Contains(Commander);
}
