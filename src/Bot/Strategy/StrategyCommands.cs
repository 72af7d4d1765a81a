using DrBot.Bot.Commands;

namespace DrBot.Bot.Strategy;

/// <summary>Commands of the strategy features (post-mortems, KPIs, chaos drills, schedule, compliance).</summary>
public abstract record StrategyCommand : ChatCommand
{
    /// <summary>Reads may be done by anyone who can see the channel; everything else needs the roster.</summary>
    public virtual bool ChangesSomething => true;
}

/// <summary><c>postmortem published &lt;id&gt; &lt;url&gt;</c>.</summary>
public sealed record PublishPostMortemCommand(string IncidentId, string Url) : StrategyCommand;

/// <summary><c>postmortem [id]</c>: where the draft is and whether it is published.</summary>
public sealed record ShowPostMortemCommand(string? IncidentId) : StrategyCommand
{
    public override bool ChangesSomething => false;
}

/// <summary><c>kpis [period]</c>.</summary>
public sealed record KpisCommand(string? Period) : StrategyCommand
{
    public override bool ChangesSomething => false;
}

/// <summary>Parses the strategy commands; null means "not one of mine", so the main parser goes on.</summary>
public static class StrategyCommandParser
{
    public const string Usage =
        "  postmortem [id]            where the post-mortem draft of a closed P1/P2 is, and whether it is published\n" +
        "  postmortem published <id> <url>  mark it published (stops the reminders)\n" +
        "  kpis [7d|30d|90d|24h|all]  RTO/RPO against target, failover success rate, MTTR, detection time, backups, last drills (default 30d)\n";

    public static ParseResult? TryParse(string verb, IReadOnlyList<string> rest, IReadOnlyCollection<string> regions)
    {
        switch (verb)
        {
            case "postmortem" or "post-mortem":
                return ParsePostMortem(rest);
            case "kpis" or "kpi":
                return rest.Count <= 1 ? ParseResult.Ok(new KpisCommand(rest.Count == 1 ? rest[0] : null)) : ParseResult.Fail("Usage: kpis [period] — period is " + Runbooks.Kpis.KpiPeriod.Valid + ".");
            default:
                return null;
        }
    }

    private static ParseResult ParsePostMortem(IReadOnlyList<string> rest)
    {
        const string usage = "Usage: postmortem [id] | postmortem published <id> <url>";
        if (rest.Count == 0)
            return ParseResult.Ok(new ShowPostMortemCommand(null));
        if (rest[0].Equals("published", StringComparison.OrdinalIgnoreCase))
            return rest.Count == 3
                ? ParseResult.Ok(new PublishPostMortemCommand(rest[1].ToUpperInvariant(), rest[2].Trim('<', '>')))
                : ParseResult.Fail($"{usage} — e.g. postmortem published INC-0001 https://wiki.example.com/pm/INC-0001");
        return rest.Count == 1 ? ParseResult.Ok(new ShowPostMortemCommand(rest[0].ToUpperInvariant())) : ParseResult.Fail(usage);
    }
}
