namespace DrBot.Bot.Alerts.Parsing;

/// <summary>
/// Prometheus Alertmanager webhook, payload version "4". One body is one notification group
/// (<c>groupKey</c>); each alert becomes one <see cref="NormalizedAlert"/> whose dedup key is its
/// fingerprint plus startsAt, so the retries and repeat notifications of the same occurrence match.
/// Name is the <c>alertname</c> label, region the <c>region</c> label, value the <c>value</c>
/// annotation or label (a number, e.g. <c>value: "{{ $value }}"</c>), summary the <c>summary</c>
/// or <c>description</c> annotation.
/// </summary>
public static class AlertmanagerParser
{
    public const string Source = "alertmanager";

    public static AlertParseResult Parse(ReadOnlySpan<byte> body)
    {
        var payload = AlertJson.Read(body, AlertJsonContext.Default.AlertmanagerPayload, out var error);
        if (payload is null)
        {
            return AlertParseResult.Fail(error!.Field, error.Message);
        }
        if (payload.Version != "4")
        {
            return AlertParseResult.Fail("$.version", payload.Version is null
                ? "is missing; this endpoint takes Alertmanager webhook payload version \"4\""
                : $"is \"{payload.Version}\"; this endpoint takes Alertmanager webhook payload version \"4\"");
        }
        if (string.IsNullOrWhiteSpace(payload.GroupKey))
        {
            return AlertParseResult.Fail("$.groupKey", "is missing; Alertmanager always sends the notification group's key");
        }
        if (payload.Alerts is not { Count: > 0 } alerts)
        {
            return AlertParseResult.Fail("$.alerts", "is missing or empty; send at least one alert");
        }

        var result = new NormalizedAlert[alerts.Count];
        for (var i = 0; i < alerts.Count; i++)
        {
            var field = $"$.alerts[{i}]";
            var alert = alerts[i];
            if (alert is null)
            {
                return AlertParseResult.Fail(field, "is null; each alert is an object");
            }
            if (!TryStatus(alert.Status, out var status))
            {
                return AlertParseResult.Fail(field + ".status", $"is {Quote(alert.Status)}; valid: \"firing\", \"resolved\"");
            }
            if (alert.Labels is null || !alert.Labels.TryGetValue("alertname", out var name) || string.IsNullOrWhiteSpace(name))
            {
                return AlertParseResult.Fail(field + ".labels.alertname", "is missing; every Alertmanager alert has an alertname label");
            }
            if (alert.StartsAt is not { } startsAt)
            {
                return AlertParseResult.Fail(field + ".startsAt", "is missing; send the alert's start time (ISO 8601)");
            }
            if (string.IsNullOrWhiteSpace(alert.Fingerprint))
            {
                return AlertParseResult.Fail(field + ".fingerprint", "is missing; it identifies the alert for deduplication");
            }

            // Alertmanager sends endsAt "0001-01-01T00:00:00Z" for alerts with no end yet.
            DateTimeOffset? endsAt = alert.EndsAt is { Year: > 1 } end ? end : null;
            alert.Labels.TryGetValue("region", out var region);
            var summary = Pick(alert.Annotations, "summary") ?? Pick(alert.Annotations, "description") ?? name;
            var value = AlertJson.Number(alert.Annotations, "value") ?? AlertJson.Number(alert.Labels, "value");

            result[i] = new NormalizedAlert(
                Source,
                alert.Fingerprint + "@" + AlertJson.Timestamp(startsAt),
                "alertmanager:" + payload.GroupKey,
                name,
                status,
                string.IsNullOrWhiteSpace(region) ? null : region,
                value,
                summary,
                alert.Labels,
                startsAt,
                endsAt);
        }
        return AlertParseResult.Ok(result);
    }

    internal static bool TryStatus(string? text, out AlertStatus status)
    {
        switch (text)
        {
            case "firing":
                status = AlertStatus.Firing;
                return true;
            case "resolved":
                status = AlertStatus.Resolved;
                return true;
            default:
                status = default;
                return false;
        }
    }

    internal static string Quote(string? text) => text is null ? "missing" : $"\"{text}\"";

    private static string? Pick(Dictionary<string, string>? bag, string key) =>
        bag is not null && bag.TryGetValue(key, out var text) && !string.IsNullOrWhiteSpace(text) ? text : null;
}
