namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// Slash commands to router text: <c>/failover west-us</c> → <c>failover west-us</c>,
/// <c>/incident …</c> and <c>/runbook …</c> likewise, <c>/drbot &lt;anything&gt;</c> → <c>&lt;anything&gt;</c>.
/// </summary>
public static class SlackCommands
{
    public static readonly IReadOnlyList<string> Prefixed = ["/failover", "/incident", "/runbook"];
    public const string Generic = "/drbot";

    public static string Usage =>
        "DrBot commands: `/failover <region>`, `/incident <open|ack|status|close> …`, `/runbook <name> …`, or `/drbot <any DrBot command>` (try `/drbot help`).";

    /// <summary>The router text, or null when the command is not one of DrBot's.</summary>
    public static string? ToRouterText(string? command, string? text)
    {
        var name = (command ?? "").Trim().ToLowerInvariant();
        var rest = (text ?? "").Trim();
        if (name == Generic)
        {
            return rest.Length == 0 ? "help" : rest;
        }
        if (Prefixed.Contains(name))
        {
            return rest.Length == 0 ? name[1..] : $"{name[1..]} {rest}";
        }
        return null;
    }
}
