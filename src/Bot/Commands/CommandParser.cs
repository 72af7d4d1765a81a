namespace DrBot.Bot.Commands;

/// <summary>The parser's answer: a command, or a message saying what was wrong and what is valid.</summary>
public sealed record ParseResult(ChatCommand? Command, string? Error)
{
    public static ParseResult Ok(ChatCommand command) => new(command, null);
    public static ParseResult Fail(string error) => new(null, error);
}

/// <summary>
/// Turns chat text into a command. Accepts the text with or without a leading slash (Teams users
/// type <c>@DrBot failover west-us</c>, Slack users <c>/failover west-us</c>). Regions and runbook
/// names are checked against the configured ones so a typo is answered with the valid values.
/// </summary>
public sealed class CommandParser(IReadOnlyCollection<string> regions, IReadOnlyCollection<string> runbooks)
{
    public static readonly IReadOnlyDictionary<string, string> RunbookCommands = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["failover"] = "region-failover",
        ["failover-db"] = "database-failover",
        ["failover-app"] = "application-failover",
        ["failback"] = "failback",
    };

    public const string Usage =
        "Commands:\n" +
        "  failover <region>          region failover (pre-checks, lead approval, promote, repoint, scale, switch traffic, validate)\n" +
        "  failover <region> --planned  zero-loss planned switchover with both regions up (fence, wait for replay, promote)\n" +
        "  failover <region> --practice  practice run (any runbook command or runbook start): every action verified and described, nothing changes\n" +
        "  failover-db <region>       database failover only\n" +
        "  failover-app <region>      application failover only\n" +
        "  failback <region>          return to the primary region\n" +
        "  runbooks | runbook list    list runbooks\n" +
        "  runbook <name>             steps and state diagram of a runbook\n" +
        "  runbook start <name> <region> [--practice]\n" +
        "  runbook status <run-id>    the current card of a run\n" +
        "  status [id], ack [id]      short for incident status / incident ack\n" +
        "  incident open <P1..P4> <title>\n" +
        "  incident ack|resolve|close|status [id]\n" +
        "  incident commander @person [id]\n" +
        "  update <text>              human status update on the current incident\n" +
        "  incident update --public <text>   an update customers see (status page, notices)\n" +
        "  approve <run-id> <gate-id> [reason] / reject <run-id> <gate-id> [reason]\n" +
        "  done <run-id> <step-id> [note]  a manual task of a run is done\n" +
        "  retry|skip|rollback [run-id] [reason]  a run stopped past the point of no return (rollback: two leads)\n" +
        "  cancel <run-id>\n" +
        "  freeze [reason] / unfreeze  stop every run start and step until a lead unfreezes (leads)\n" +
        "  drill [region-down|lag <seconds>|clear] [region]\n" +
        "  audit verify               check the audit chain\n" +
        Strategy.StrategyCommandParser.Usage +
        "  help";

    private static readonly string[] Severities = ["P1", "P2", "P3", "P4"];

    public ParseResult Parse(string? text)
    {
        var words = Tokenise(text);
        if (words.Count == 0)
            return ParseResult.Fail("Empty command.\n" + Usage);

        var verb = words[0].ToLowerInvariant();
        var rest = words.Skip(1).ToList();
        if (RunbookCommands.TryGetValue(verb, out var runbook))
            return ParseRegionCommand(verb, runbook, rest);
        if (Strategy.StrategyCommandParser.TryParse(verb, rest, regions) is { } strategy)
            return strategy;

        return verb switch
        {
            "runbooks" => ParseResult.Ok(new ListRunbooksCommand()),
            "runbook" => ParseShowRunbook(rest),
            "incident" => ParseIncident(rest),
            // The shortcuts the Teams manifest advertises.
            "status" or "ack" => ParseIncident([verb, .. rest]),
            "update" when rest.Count > 0 && rest[0] == "--public" => ParseIncident(["update", .. rest]),
            "update" => rest.Count == 0
                ? ParseResult.Fail("Usage: update <text> — say what changed, for the status posts.")
                : ParseResult.Ok(new HumanUpdateCommand(string.Join(' ', rest))),
            "approve" or "reject" => ParseDecision(verb == "approve", rest),
            // A manual task's Done typed: `done <run-id> <step-id> [note]`, decided like an approval.
            "done" => ParseDecision(true, rest),
            "retry" or "skip" or "rollback" => ParsePointOfNoReturn(verb, rest),
            "cancel" => rest.Count == 1
                ? ParseResult.Ok(new CancelRunCommand(rest[0]))
                : ParseResult.Fail("Usage: cancel <run-id>"),
            "drill" => ParseDrill(rest),
            "freeze" => ParseResult.Ok(new FreezeCommand(rest.Count > 0 ? string.Join(' ', rest) : null)),
            "unfreeze" => rest.Count == 0 ? ParseResult.Ok(new UnfreezeCommand()) : ParseResult.Fail("Usage: unfreeze (no arguments): ends the freeze, held runs go on."),
            "audit" => rest is ["verify"] ? ParseResult.Ok(new AuditVerifyCommand()) : ParseResult.Fail("Usage: audit verify"),
            "help" or "?" => ParseResult.Ok(new HelpCommand()),
            _ => ParseResult.Fail($"Unknown command '{words[0]}'.\n{Usage}"),
        };
    }

    /// <summary>The flag that makes any runbook start a practice run: every action verified and described, nothing changed.</summary>
    public const string PracticeFlag = "--practice";

    private ParseResult ParseRegionCommand(string verb, string runbook, List<string> rest)
    {
        var practice = rest.RemoveAll(w => string.Equals(w, PracticeFlag, StringComparison.OrdinalIgnoreCase)) > 0;
        var parsed = ParseRegionTarget(verb, runbook, rest);
        return practice && parsed.Command is StartRunbookCommand start ? ParseResult.Ok(start with { Practice = true }) : parsed;
    }

    private ParseResult ParseRegionTarget(string verb, string runbook, List<string> rest)
    {
        var valid = string.Join(", ", regions);
        // failover <region> --planned: the zero-loss switchover with both regions up (drills).
        if (verb == "failover" && rest.Count == 2 && string.Equals(rest[1], "--planned", StringComparison.OrdinalIgnoreCase))
        {
            runbook = "planned-switchover";
            rest = [rest[0]];
        }
        if (rest.Count != 1)
            return ParseResult.Fail($"Usage: {verb} <region>{(verb == "failover" ? " [--planned]" : "")} [{PracticeFlag}]. Valid regions: {valid}.");
        var region = regions.FirstOrDefault(r => string.Equals(r, rest[0], StringComparison.OrdinalIgnoreCase));
        return region is null
            ? ParseResult.Fail($"Unknown region '{rest[0]}'. Valid regions: {valid}.")
            : ParseResult.Ok(new StartRunbookCommand(runbook, region));
    }

    private const string RunbookUsage = "Usage: runbook <name> | runbook list | runbook start <name> <region> | runbook status <run-id>.";

    /// <summary><c>runbook &lt;name&gt;</c>, <c>list</c>, <c>start &lt;name&gt; &lt;region&gt;</c>, <c>status &lt;run-id&gt;</c> (the Slack manifest's hint) and <c>runbook run-7</c> (the Teams one's).</summary>
    private ParseResult ParseShowRunbook(List<string> rest)
    {
        var valid = string.Join(", ", runbooks);
        var sub = rest.Count > 0 ? rest[0].ToLowerInvariant() : "";
        switch (sub)
        {
            case "list" when rest.Count == 1:
                return ParseResult.Ok(new ListRunbooksCommand());
            case "status":
                return rest.Count == 2 && IsRunId(rest[1])
                    ? ParseResult.Ok(new RunStatusCommand(rest[1].ToLowerInvariant()))
                    : ParseResult.Fail("Usage: runbook status <run-id>, e.g. runbook status run-7.");
            case "start":
                if (rest.Count(w => !string.Equals(w, PracticeFlag, StringComparison.OrdinalIgnoreCase)) != 3)
                    return ParseResult.Fail($"Usage: runbook start <name> <region> [{PracticeFlag}]. Runbooks: {valid}. Regions: {string.Join(", ", regions)}.");
                return FindRunbook(rest[1]) is { } toStart
                    ? ParseRegionCommand($"runbook start {rest[1]}", toStart, rest.Skip(2).ToList())
                    : ParseResult.Fail($"Unknown runbook '{rest[1]}'. Runbooks: {valid}.");
        }
        if (rest.Count != 1)
            return ParseResult.Fail($"{RunbookUsage} Runbooks: {valid}.");
        if (IsRunId(rest[0]))
            return ParseResult.Ok(new RunStatusCommand(rest[0].ToLowerInvariant()));
        return FindRunbook(rest[0]) is { } name
            ? ParseResult.Ok(new ShowRunbookCommand(name))
            : ParseResult.Fail($"Unknown runbook '{rest[0]}'. Runbooks: {valid}. {RunbookUsage}");
    }

    private string? FindRunbook(string word) =>
        runbooks.FirstOrDefault(r => string.Equals(r, word, StringComparison.OrdinalIgnoreCase))
        ?? (RunbookCommands.TryGetValue(word, out var mapped) ? mapped : null);

    private static bool IsRunId(string word) =>
        word.StartsWith("run-", StringComparison.OrdinalIgnoreCase) && word.Length > 4 && word[4..].All(char.IsAsciiDigit);

    private static ParseResult ParseIncident(List<string> rest)
    {
        const string usage = "Usage: incident open <P1..P4> <title> | incident ack|resolve|close|status [id] | incident update [--public] <text> | incident commander @person [id]";
        if (rest.Count == 0)
            return ParseResult.Fail(usage);
        var sub = rest[0].ToLowerInvariant();
        var id = rest.Count > 1 ? rest[1].ToUpperInvariant() : null;
        switch (sub)
        {
            case "open":
                if (rest.Count < 3)
                    return ParseResult.Fail("Usage: incident open <P1..P4> <title>");
                var severity = Severities.FirstOrDefault(s => string.Equals(s, rest[1], StringComparison.OrdinalIgnoreCase));
                return severity is null
                    ? ParseResult.Fail($"Unknown severity '{rest[1]}'. Valid: {string.Join(", ", Severities)}.")
                    : ParseResult.Ok(new OpenIncidentCommand(severity, string.Join(' ', rest.Skip(2))));
            case "ack" or "acknowledge":
                return rest.Count <= 2 ? ParseResult.Ok(new IncidentActionCommand(IncidentVerb.Ack, id)) : ParseResult.Fail(usage);
            case "resolve":
                return rest.Count <= 2 ? ParseResult.Ok(new IncidentActionCommand(IncidentVerb.Resolve, id)) : ParseResult.Fail(usage);
            case "close":
                return rest.Count <= 2 ? ParseResult.Ok(new IncidentActionCommand(IncidentVerb.Close, id)) : ParseResult.Fail(usage);
            case "status":
                return rest.Count <= 2 ? ParseResult.Ok(new IncidentActionCommand(IncidentVerb.Status, id)) : ParseResult.Fail(usage);
            case "update":
                var isPublic = rest.Count > 1 && rest[1] == "--public";
                var text = string.Join(' ', rest.Skip(isPublic ? 2 : 1));
                if (text.Length == 0)
                    return ParseResult.Fail("Usage: incident update [--public] <text> — --public: customers see it on the status page and in notices; never put hosts or names there.");
                return ParseResult.Ok(isPublic ? new PublicUpdateCommand(text) : new HumanUpdateCommand(text));
            case "commander":
                if (rest.Count is < 2 or > 3)
                    return ParseResult.Fail("Usage: incident commander @person [id]");
                return ParseResult.Ok(new SetCommanderCommand(rest[1].TrimStart('@'), rest.Count == 3 ? rest[2].ToUpperInvariant() : null));
            default:
                return ParseResult.Fail($"Unknown incident action '{rest[0]}'. {usage}");
        }
    }

    private static ParseResult ParseDecision(bool approve, List<string> rest)
    {
        // "approve run-7 looks good" or "approve looks good": a run id starts with run-.
        string? runId = null;
        if (rest.Count > 0 && rest[0].StartsWith("run-", StringComparison.OrdinalIgnoreCase))
        {
            runId = rest[0].ToLowerInvariant();
            rest = rest.Skip(1).ToList();
        }
        var reason = rest.Count > 0 ? string.Join(' ', rest) : null;
        return ParseResult.Ok(new DecideCommand(approve, runId, reason));
    }

    private static ParseResult ParsePointOfNoReturn(string verb, List<string> rest)
    {
        string? runId = null;
        if (rest.Count > 0 && rest[0].StartsWith("run-", StringComparison.OrdinalIgnoreCase))
        {
            runId = rest[0].ToLowerInvariant();
            rest = rest.Skip(1).ToList();
        }
        var choice = verb switch { "retry" => Runbooks.Engine.AfterPointOfNoReturn.Retry, "skip" => Runbooks.Engine.AfterPointOfNoReturn.Skip, _ => Runbooks.Engine.AfterPointOfNoReturn.RollBack };
        return ParseResult.Ok(new PointOfNoReturnCommand(choice, runId, rest.Count > 0 ? string.Join(' ', rest) : null));
    }

    private ParseResult ParseDrill(List<string> rest)
    {
        const string usage = "Usage: drill [region-down|lag <seconds>|clear] [region]";
        if (rest.Count == 0)
            return ParseResult.Ok(new DrillCommand("region-down", null));
        var scenario = rest[0].ToLowerInvariant();
        if (scenario is not ("region-down" or "lag" or "clear" or "secondary-unhealthy"))
            return ParseResult.Fail($"Unknown drill '{rest[0]}'. Valid: region-down, lag <seconds>, secondary-unhealthy, clear. {usage}");
        var args = rest.Skip(1).ToList();
        if (scenario == "lag")
        {
            if (args.Count == 0 || !int.TryParse(args[0], out var seconds) || seconds < 0)
                return ParseResult.Fail("Usage: drill lag <seconds> [region] — seconds is a whole number ≥ 0.");
            scenario = $"lag:{seconds}";
            args = args.Skip(1).ToList();
        }
        string? region = null;
        if (args.Count > 0)
        {
            region = regions.FirstOrDefault(r => string.Equals(r, args[0], StringComparison.OrdinalIgnoreCase));
            if (region is null)
                return ParseResult.Fail($"Unknown region '{args[0]}'. Valid regions: {string.Join(", ", regions)}.");
        }
        return ParseResult.Ok(new DrillCommand(scenario, region));
    }

    private static List<string> Tokenise(string? text)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.StartsWith('/'))
            trimmed = trimmed[1..];
        var words = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        // "/drbot failover west-us" and "@DrBot failover west-us" arrive with the bot's name first.
        if (words.Count > 0 && words[0].TrimStart('@').Equals("drbot", StringComparison.OrdinalIgnoreCase))
            words.RemoveAt(0);
        return words;
    }
}
