namespace DrBot.Bot.Alerts.Parsing;

/// <summary>Why a body was refused: the field (JSON path) at fault and what would be valid.</summary>
public sealed record AlertParseError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Either the alerts of a body or the reason it was refused; never both.</summary>
public sealed class AlertParseResult
{
    private AlertParseResult(IReadOnlyList<NormalizedAlert>? alerts, AlertParseError? error)
    {
        Alerts = alerts ?? [];
        Error = error;
    }

    public IReadOnlyList<NormalizedAlert> Alerts { get; }
    public AlertParseError? Error { get; }
    public bool IsValid => Error is null;

    public static AlertParseResult Ok(IReadOnlyList<NormalizedAlert> alerts) => new(alerts, null);
    public static AlertParseResult Fail(string field, string message) => new(null, new AlertParseError(field, message));
}
