using System.Text.Json;

namespace DrBot.Bot.Alerts.Parsing;

/// <summary>
/// Azure Monitor common alert schema (<c>schemaId: "azureMonitorCommonAlertSchema"</c>). One body is
/// one alert; its dedup key is <c>essentials.alertId</c> (a resolved notification has the same id,
/// and the intake keys it by status). Name is <c>alertRule</c>; region is the custom property
/// <c>region</c> (set it on the action group or alert rule) or a metric dimension named region;
/// value is the first metric criterion's <c>metricValue</c>. Severity Sev0..Sev4 becomes the
/// <c>severity</c> label.
/// </summary>
public static class AzureMonitorParser
{
    public const string Source = "azure-monitor";
    public const string SchemaId = "azureMonitorCommonAlertSchema";
    private static readonly string[] Severities = ["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"];

    public static AlertParseResult Parse(ReadOnlySpan<byte> body)
    {
        var payload = AlertJson.Read(body, AlertJsonContext.Default.AzureMonitorPayload, out var error);
        if (payload is null)
        {
            return AlertParseResult.Fail(error!.Field, error.Message);
        }
        if (payload.SchemaId != SchemaId)
        {
            return AlertParseResult.Fail("$.schemaId", $"is {AlertmanagerParser.Quote(payload.SchemaId)}; enable the common alert schema on the action group (schemaId \"{SchemaId}\")");
        }
        var essentials = payload.Data?.Essentials;
        if (essentials is null)
        {
            return AlertParseResult.Fail("$.data.essentials", "is missing; the common alert schema always carries data.essentials");
        }
        const string E = "$.data.essentials.";
        if (string.IsNullOrWhiteSpace(essentials.AlertId))
        {
            return AlertParseResult.Fail(E + "alertId", "is missing; it identifies the alert for deduplication");
        }
        if (string.IsNullOrWhiteSpace(essentials.AlertRule))
        {
            return AlertParseResult.Fail(E + "alertRule", "is missing; it names the alert rule");
        }
        if (essentials.Severity is null || Array.IndexOf(Severities, essentials.Severity) < 0)
        {
            return AlertParseResult.Fail(E + "severity", $"is {AlertmanagerParser.Quote(essentials.Severity)}; valid: Sev0, Sev1, Sev2, Sev3, Sev4");
        }
        AlertStatus status;
        switch (essentials.MonitorCondition)
        {
            case "Fired":
                status = AlertStatus.Firing;
                break;
            case "Resolved":
                status = AlertStatus.Resolved;
                break;
            default:
                return AlertParseResult.Fail(E + "monitorCondition", $"is {AlertmanagerParser.Quote(essentials.MonitorCondition)}; valid: \"Fired\", \"Resolved\"");
        }
        if (essentials.FiredDateTime is not { } firedAt)
        {
            return AlertParseResult.Fail(E + "firedDateTime", "is missing; send when the alert fired (ISO 8601)");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertRule"] = essentials.AlertRule,
            ["severity"] = essentials.Severity,
            ["monitorCondition"] = essentials.MonitorCondition,
        };
        AddIfSet(labels, "signalType", essentials.SignalType);
        AddIfSet(labels, "monitoringService", essentials.MonitoringService);
        if (essentials.AlertTargetIds is { Count: > 0 } targets)
        {
            labels["alertTargetIDs"] = string.Join(",", targets);
        }
        if (payload.Data!.CustomProperties is { } custom)
        {
            foreach (var (key, value) in custom)
            {
                AddIfSet(labels, key, value);
            }
        }

        var (metricValue, dimensionRegion) = ReadMetric(payload.Data.AlertContext);
        labels.TryGetValue("region", out var region);
        region ??= dimensionRegion;
        if (region is not null)
        {
            labels["region"] = region;
        }

        var alert = new NormalizedAlert(
            Source,
            essentials.AlertId,
            "azure-monitor:" + essentials.AlertRule,
            essentials.AlertRule,
            status,
            region,
            metricValue,
            string.IsNullOrWhiteSpace(essentials.Description) ? $"{essentials.AlertRule} {essentials.MonitorCondition}" : essentials.Description,
            labels,
            firedAt,
            status == AlertStatus.Resolved ? essentials.ResolvedDateTime : null);
        return AlertParseResult.Ok([alert]);
    }

    /// <summary>Metric alerts: alertContext.condition.allOf[0].metricValue and a "region" dimension, when present.</summary>
    private static (double? Value, string? Region) ReadMetric(JsonElement context)
    {
        if (context.ValueKind != JsonValueKind.Object
            || !context.TryGetProperty("condition", out var condition) || condition.ValueKind != JsonValueKind.Object
            || !condition.TryGetProperty("allOf", out var allOf) || allOf.ValueKind != JsonValueKind.Array
            || allOf.GetArrayLength() == 0 || allOf[0].ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }
        var first = allOf[0];
        double? value = first.TryGetProperty("metricValue", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? d : null;
        string? region = null;
        if (first.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind == JsonValueKind.Array)
        {
            foreach (var dimension in dimensions.EnumerateArray())
            {
                if (dimension.ValueKind == JsonValueKind.Object
                    && dimension.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                    && string.Equals(n.GetString(), "region", StringComparison.OrdinalIgnoreCase)
                    && dimension.TryGetProperty("value", out var r) && r.ValueKind == JsonValueKind.String)
                {
                    region = r.GetString();
                }
            }
        }
        return (value, region);
    }

    private static void AddIfSet(Dictionary<string, string> labels, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            labels[key] = value;
        }
    }
}
