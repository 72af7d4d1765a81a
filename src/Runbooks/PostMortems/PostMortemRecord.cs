namespace DrBot.Runbooks.PostMortems;

/// <summary>
/// The post-mortem owed for a closed P1/P2 (the strategy: published within 48 hours). Kept in the
/// store's key/value area under <see cref="Key"/>; the draft itself is rendered from the incident
/// record on every read, so it always shows the full, current record.
/// </summary>
public sealed record PostMortemRecord(
    string IncidentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    string? Commander,
    string? PublishedUrl = null,
    string? PublishedBy = null,
    DateTimeOffset? PublishedAt = null,
    bool Reminded = false,
    bool Escalated = false)
{
    public bool IsPublished => PublishedUrl is not null;

    public static string Key(string incidentId) => $"postmortem:{incidentId.ToUpperInvariant()}";

    /// <summary>Published on time: before <see cref="DueAt"/>. Null while unpublished.</summary>
    public bool? PublishedOnTime => PublishedAt is { } at ? at <= DueAt : null;
}
