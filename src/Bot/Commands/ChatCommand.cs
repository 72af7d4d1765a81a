namespace DrBot.Bot.Commands;

/// <summary>A parsed chat command. The parser only reads text; the router decides what it does.</summary>
public abstract record ChatCommand;

/// <summary><c>failover</c>, <c>failover-db</c>, <c>failover-app</c>, <c>failback</c>: start a runbook towards a region (<paramref name="Practice"/>: <c>--practice</c>, nothing changes).</summary>
public sealed record StartRunbookCommand(string Runbook, string Region, bool Practice = false) : ChatCommand;

public sealed record ListRunbooksCommand : ChatCommand;

public sealed record ShowRunbookCommand(string Runbook) : ChatCommand;

/// <summary><c>runbook status run-7</c> (or <c>runbook run-7</c>): the current card of one run.</summary>
public sealed record RunStatusCommand(string RunId) : ChatCommand;

public sealed record OpenIncidentCommand(string Severity, string Title) : ChatCommand;

public enum IncidentVerb { Ack, Resolve, Close, Status }

public sealed record IncidentActionCommand(IncidentVerb Verb, string? IncidentId) : ChatCommand;

public sealed record SetCommanderCommand(string Person, string? IncidentId) : ChatCommand;

public sealed record HumanUpdateCommand(string Text) : ChatCommand;

/// <summary><c>incident update --public &lt;text&gt;</c>: an update for customers (status page, Statuspage, email notices) and the team.</summary>
public sealed record PublicUpdateCommand(string Text) : ChatCommand;

/// <summary>Typed fallback for the card buttons: decides the pending gate of a run (or the only pending one).</summary>
public sealed record DecideCommand(bool Approve, string? RunId, string? Reason) : ChatCommand;

public sealed record CancelRunCommand(string RunId) : ChatCommand;

/// <summary>Typed fallback for the point-of-no-return buttons: Retry step, Skip, Roll back anyway.</summary>
public sealed record PointOfNoReturnCommand(DrBot.Runbooks.Engine.AfterPointOfNoReturn Choice, string? RunId, string? Reason) : ChatCommand;

public sealed record DrillCommand(string? Scenario, string? Region) : ChatCommand;

public sealed record HelpCommand : ChatCommand;

/// <summary><c>freeze [reason]</c> (leads): no run starts and running ones wait at their next step until <c>unfreeze</c>.</summary>
public sealed record FreezeCommand(string? Reason) : ChatCommand;

/// <summary><c>unfreeze</c> (leads): ends the freeze; held runs go on.</summary>
public sealed record UnfreezeCommand : ChatCommand;

/// <summary><c>audit verify</c>: check the audit chain (keyed) against the newest checkpoint.</summary>
public sealed record AuditVerifyCommand : ChatCommand;
