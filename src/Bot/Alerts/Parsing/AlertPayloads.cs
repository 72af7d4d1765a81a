using System.Text.Json;
using System.Text.Json.Serialization;

namespace DrBot.Bot.Alerts.Parsing;

// Wire shapes of the three webhook bodies. Everything is nullable so the parsers, not the
// serializer, decide what is missing and say so by field name.

/// <summary>Prometheus Alertmanager webhook, payload version "4".</summary>
internal sealed class AlertmanagerPayload
{
    public string? Version { get; set; }
    public string? GroupKey { get; set; }
    public int? TruncatedAlerts { get; set; }
    public string? Status { get; set; }
    public string? Receiver { get; set; }
    public Dictionary<string, string>? GroupLabels { get; set; }
    public Dictionary<string, string>? CommonLabels { get; set; }
    public Dictionary<string, string>? CommonAnnotations { get; set; }
    [JsonPropertyName("externalURL")]
    public string? ExternalUrl { get; set; }
    public List<AlertmanagerAlert?>? Alerts { get; set; }
}

internal sealed class AlertmanagerAlert
{
    public string? Status { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; set; }
    public string? Fingerprint { get; set; }
}

/// <summary>Azure Monitor common alert schema.</summary>
internal sealed class AzureMonitorPayload
{
    public string? SchemaId { get; set; }
    public AzureMonitorData? Data { get; set; }
}

internal sealed class AzureMonitorData
{
    public AzureMonitorEssentials? Essentials { get; set; }
    public JsonElement AlertContext { get; set; }
    public Dictionary<string, string?>? CustomProperties { get; set; }
}

internal sealed class AzureMonitorEssentials
{
    public string? AlertId { get; set; }
    public string? AlertRule { get; set; }
    public string? Severity { get; set; }
    public string? SignalType { get; set; }
    public string? MonitorCondition { get; set; }
    public string? MonitoringService { get; set; }
    [JsonPropertyName("alertTargetIDs")]
    public List<string>? AlertTargetIds { get; set; }
    public DateTimeOffset? FiredDateTime { get; set; }
    public DateTimeOffset? ResolvedDateTime { get; set; }
    public string? Description { get; set; }
}

/// <summary>DrBot's own generic alert form (see docs in <see cref="GenericAlertParser"/>).</summary>
internal sealed class GenericAlert
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Status { get; set; }
    public string? Severity { get; set; }
    public string? Region { get; set; }
    public double? Value { get; set; }
    public string? Summary { get; set; }
    public string? Group { get; set; }
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>The webhook's answer.</summary>
public sealed record AlertIntakeSummary(int Accepted, int Duplicates);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(AlertmanagerPayload))]
[JsonSerializable(typeof(AzureMonitorPayload))]
[JsonSerializable(typeof(GenericAlert))]
[JsonSerializable(typeof(List<GenericAlert?>))]
[JsonSerializable(typeof(AlertIntakeSummary))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
