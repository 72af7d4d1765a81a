using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Engine;

/// <summary>Start <paramref name="Runbook"/> towards <paramref name="Region"/>, e.g. <c>failover west-us</c>.</summary>
public sealed record StartRunRequest(string Runbook, string Region, Actor StartedBy, string? IncidentId);

/// <summary>Started, with the stored run; or not, with a message saying what was wrong and what is valid.</summary>
public sealed record StartRunResult(bool Started, string Message, RunRecord? Run);

public enum GraphFormat { Mermaid, Dot }

/// <summary>How the engine retries a step that reports a transient failure (bounded exponential backoff).</summary>
public sealed class RunbookEngineOptions
{
    /// <summary>Attempts of one step execution before a transient failure counts as a failure.</summary>
    public int MaxAttempts { get; set; } = 4;
    /// <summary>First backoff delay; doubled after each attempt. Zero retries at once (tests).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);
}
