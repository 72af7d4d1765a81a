using System.Text.Json;

namespace DrBot.Bot.Alerts.Parsing;

/// <summary>
/// DrBot's generic alert webhook, for scripts and monitoring tools without a native format.
/// The body is one object or an array of them:
/// <code>
/// {"name":"replication_lag","status":"firing","severity":"warning","region":"east-us",
///  "value":12.5,"summary":"replica 12.5 s behind","id":"lag-east-us-42",
///  "startsAt":"2026-01-01T00:00:00Z","endsAt":null,"group":"db","labels":{"job":"pg"}}
/// </code>
/// Required: <c>name</c>, <c>status</c> (firing | resolved), and <c>id</c> or <c>startsAt</c> so a
/// re-delivery can be recognised. Optional: <c>severity</c> (critical | warning | info),
/// <c>region</c>, <c>value</c> (number: seconds of lag or delay, or a failure count),
/// <c>summary</c>, <c>group</c> (alerts of one group share one card; default name + region),
/// <c>endsAt</c>, <c>labels</c> (string to string). Dedup key: <c>id</c>, else name + region + startsAt.
/// </summary>
public static class GenericAlertParser
{
    public const string Source = "generic";

    public static AlertParseResult Parse(ReadOnlySpan<byte> body, DateTimeOffset receivedAt)
    {
        var first = FirstToken(body);
        if (first == JsonTokenType.StartArray)
        {
            var list = AlertJson.Read(body, AlertJsonContext.Default.ListGenericAlert, out var listError);
            if (list is null)
            {
                return AlertParseResult.Fail(listError!.Field, listError.Message);
            }
            if (list.Count == 0)
            {
                return AlertParseResult.Fail("$", "is an empty array; send at least one alert");
            }
            var alerts = new NormalizedAlert[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                var error = Normalize(list[i], $"$[{i}]", receivedAt, out var alert);
                if (error is not null)
                {
                    return AlertParseResult.Fail(error.Field, error.Message);
                }
                alerts[i] = alert!;
            }
            return AlertParseResult.Ok(alerts);
        }
        if (first is not (JsonTokenType.StartObject or JsonTokenType.None))
        {
            return AlertParseResult.Fail("$", "must be an alert object or an array of alert objects");
        }

        var single = AlertJson.Read(body, AlertJsonContext.Default.GenericAlert, out var readError);
        if (single is null)
        {
            return AlertParseResult.Fail(readError!.Field, readError.Message);
        }
        var singleError = Normalize(single, "$", receivedAt, out var one);
        return singleError is null ? AlertParseResult.Ok([one!]) : AlertParseResult.Fail(singleError.Field, singleError.Message);
    }

    private static AlertParseError? Normalize(GenericAlert? input, string at, DateTimeOffset receivedAt, out NormalizedAlert? alert)
    {
        alert = null;
        if (input is null)
        {
            return new AlertParseError(at, "is null; each alert is an object");
        }
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            return new AlertParseError(at + ".name", "is missing; name the alert, e.g. \"replication_lag\"");
        }
        if (!AlertmanagerParser.TryStatus(input.Status, out var status))
        {
            return new AlertParseError(at + ".status", $"is {AlertmanagerParser.Quote(input.Status)}; valid: \"firing\", \"resolved\"");
        }
        if (input.Severity is not (null or "critical" or "warning" or "info"))
        {
            return new AlertParseError(at + ".severity", $"is \"{input.Severity}\"; valid: \"critical\", \"warning\", \"info\" (or leave it out)");
        }
        if (string.IsNullOrWhiteSpace(input.Id) && input.StartsAt is null)
        {
            return new AlertParseError(at + ".id", "and startsAt are both missing; send an id or a startsAt so re-deliveries are recognised");
        }
        if (input.Value is { } v && !double.IsFinite(v))
        {
            return new AlertParseError(at + ".value", "must be a finite number");
        }

        var region = string.IsNullOrWhiteSpace(input.Region) ? null : input.Region;
        var labels = new Dictionary<string, string>(input.Labels ?? [], StringComparer.Ordinal) { ["name"] = input.Name };
        if (input.Severity is not null)
        {
            labels["severity"] = input.Severity;
        }
        if (region is not null)
        {
            labels["region"] = region;
        }
        var dedupKey = !string.IsNullOrWhiteSpace(input.Id)
            ? "id:" + input.Id
            : $"{input.Name}/{region}@{AlertJson.Timestamp(input.StartsAt!.Value)}";
        var group = string.IsNullOrWhiteSpace(input.Group) ? $"{input.Name}/{region}" : input.Group;

        alert = new NormalizedAlert(
            Source,
            dedupKey,
            "generic:" + group,
            input.Name,
            status,
            region,
            input.Value,
            string.IsNullOrWhiteSpace(input.Summary) ? input.Name : input.Summary,
            labels,
            input.StartsAt ?? receivedAt,
            input.EndsAt);
        return null;
    }

    private static JsonTokenType FirstToken(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            return reader.Read() ? reader.TokenType : JsonTokenType.None;
        }
        catch (JsonException)
        {
            // Let the full read report the syntax error with its position.
            return JsonTokenType.None;
        }
    }
}
