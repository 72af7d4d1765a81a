namespace DrBot.Runbooks.Policy;

/// <summary>The roles the strategy's escalation matrix and gates speak of.</summary>
public static class Roles
{
    public const string OnCall = "oncall";
    public const string Lead = "lead";
    public const string Cto = "cto";
    public const string EngineeringLead = "engineering-lead";
    public const string PrimaryTeam = "primary-team";

    public static readonly IReadOnlyList<string> All = [OnCall, Lead, Cto, EngineeringLead, PrimaryTeam];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.OrdinalIgnoreCase);
}
