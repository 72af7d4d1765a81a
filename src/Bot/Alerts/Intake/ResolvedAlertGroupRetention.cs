namespace DrBot.Bot.Alerts.Intake;

/// <summary>
/// How long a group whose alerts have all resolved keeps its record (<c>DrBot:Retention:ResolvedAlertGroups</c>).
/// Written again by a new alert before then, it is kept again; once pruned, a repeat of a resolved
/// alert counts as new (a sender repeats resolved alerts for minutes, not days).
/// </summary>
public sealed record ResolvedAlertGroupRetention(TimeSpan KeepFor)
{
    public static readonly ResolvedAlertGroupRetention Default = new(TimeSpan.FromDays(7));
}
