using DrBot.Bot.Commands;
using DrBot.Runbooks.Drills;

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

/// <summary><c>drill &lt;scenario&gt; [region]</c>: one of the strategy's chaos scenarios.</summary>
public sealed record StartChaosDrillCommand(string Scenario, string? Region) : StrategyCommand;

/// <summary><c>drill check [id]</c>: evaluate the running drill now and end it.</summary>
public sealed record CheckDrillCommand(string? ExerciseId) : StrategyCommand;

/// <summary><c>drills</c>: running and recent drills and validations, and overdue scheduled ones.</summary>
public sealed record ListDrillsCommand : StrategyCommand
{
    public override bool ChangesSomething => false;
}

/// <summary>
/// <c>drill start|postpone &lt;schedule-name&gt;</c>: typed fallback for the "drill due" card's buttons. A button
/// carries the occurrence it decides (<paramref name="Occurrence"/>), so a click on a card already decided is refused.
/// </summary>
public sealed record DecideScheduledDrillCommand(string Name, bool Start, string? Occurrence = null) : StrategyCommand;

/// <summary><c>report compliance [from] [to]</c> (days, yyyy-MM-dd).</summary>
public sealed record ComplianceReportCommand(string? From, string? To) : StrategyCommand
{
    public override bool ChangesSomething => false;
}

/// <summary><c>validate backup-restore|data-consistency [replica-region]</c> (and <c>runbook start</c> of either).</summary>
public sealed record ValidateCommand(string Kind, string? Replica = null) : StrategyCommand;

/// <summary><c>preflight</c>: the last pre-flight now, and a fresh one posted when done (nothing changes anywhere).</summary>
public sealed record PreflightCommand : StrategyCommand;

/// <summary>Parses the strategy commands; null means "not one of mine", so the main parser goes on.</summary>
public static class StrategyCommandParser
{
    public const string Usage =
        "  postmortem [id]            where the post-mortem draft of a closed P1/P2 is, and whether it is published\n" +
        "  postmortem published <id> <url>  mark it published (stops the reminders)\n" +
        "  drill region-failure|database-failure|network-partition|cascading-failure [region]  chaos drill with the strategy's validation criteria (simulated mode)\n" +
        "  drill check [EX-id]        evaluate the running drill now and end it\n" +
        "  drill start|postpone <schedule-name>  decide a due scheduled drill (leads)\n" +
        "  drills                     running and recent drills and validations, overdue scheduled drills\n" +
        "  validate backup-restore|data-consistency [replica]  run the validation runbook: restore the latest base backup to a scratch instance at its LSN / compare primary and replica (real PostgreSQL)\n" +
        "  report compliance [from] [to]  evidence (drills, failovers with approvals and RTO/RPO, backup tests, audit chain) as Markdown/JSON\n" +
        "  preflight                  every failover runbook checked now without changing anything (credentials, targets, capacity, lag, archiving)\n" +
        "  kpis [7d|30d|90d|24h|all]  RTO/RPO against target, failover success rate, MTTR, detection time, backups, last drills (default 30d)\n";

    public static ParseResult? TryParse(string verb, IReadOnlyList<string> rest, IReadOnlyCollection<string> regions)
    {
        switch (verb)
        {
            case "postmortem" or "post-mortem":
                return ParsePostMortem(rest);
            case "drill" when rest.Count > 0 && ExerciseKinds.ChaosScenarios.Contains(rest[0].ToLowerInvariant()):
                return ParseChaosDrill(rest, regions);
            case "drill" when rest.Count > 0 && rest[0].Equals("check", StringComparison.OrdinalIgnoreCase):
                return rest.Count <= 2 ? ParseResult.Ok(new CheckDrillCommand(rest.Count == 2 ? rest[1].ToUpperInvariant() : null)) : ParseResult.Fail("Usage: drill check [EX-id]");
            case "drill" when rest.Count > 0 && rest[0].ToLowerInvariant() is "start" or "postpone":
                return rest.Count == 2 ? ParseResult.Ok(new DecideScheduledDrillCommand(rest[1], rest[0].Equals("start", StringComparison.OrdinalIgnoreCase))) : ParseResult.Fail("Usage: drill start|postpone <schedule-name> (`drills` lists them)");
            case "drills":
                return rest.Count == 0 ? ParseResult.Ok(new ListDrillsCommand()) : ParseResult.Fail("Usage: drills");
            case "validate":
                return rest.Count is 1 or 2 && ExerciseKinds.Validations.Contains(rest[0].ToLowerInvariant())
                    ? ParseResult.Ok(new ValidateCommand(rest[0].ToLowerInvariant(), rest.Count == 2 ? rest[1] : null))
                    : ParseResult.Fail($"Usage: validate {string.Join("|", ExerciseKinds.Validations)} [replica-region]");
            case "report":
                return rest.Count is >= 1 and <= 3 && rest[0].Equals("compliance", StringComparison.OrdinalIgnoreCase)
                    ? ParseResult.Ok(new ComplianceReportCommand(rest.Count > 1 ? rest[1] : null, rest.Count > 2 ? rest[2] : null))
                    : ParseResult.Fail("Usage: report compliance [from] [to] — days as yyyy-MM-dd, both included; default the last 90 days.");
            case "preflight" or "pre-flight":
                return rest.Count == 0 ? ParseResult.Ok(new PreflightCommand()) : ParseResult.Fail("Usage: preflight — checks every failover runbook now, changing nothing.");
            case "kpis" or "kpi":
                return rest.Count <= 1 ? ParseResult.Ok(new KpisCommand(rest.Count == 1 ? rest[0] : null)) : ParseResult.Fail("Usage: kpis [period] — period is " + Runbooks.Kpis.KpiPeriod.Valid + ".");
            default:
                return null;
        }
    }

    private static ParseResult ParseChaosDrill(IReadOnlyList<string> rest, IReadOnlyCollection<string> regions)
    {
        var scenario = rest[0].ToLowerInvariant();
        if (rest.Count == 1)
            return ParseResult.Ok(new StartChaosDrillCommand(scenario, null));
        var region = regions.FirstOrDefault(r => string.Equals(r, rest[1], StringComparison.OrdinalIgnoreCase));
        if (rest.Count > 2 || region is null)
            return ParseResult.Fail($"Usage: drill {scenario} [region]. Valid regions: {string.Join(", ", regions)}.");
        return ParseResult.Ok(new StartChaosDrillCommand(scenario, region));
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
