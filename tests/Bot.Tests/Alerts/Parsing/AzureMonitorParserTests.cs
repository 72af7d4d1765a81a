using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Parsing;

namespace DrBot.Bot.Tests.Alerts.Parsing;

public class AzureMonitorParserTests
{
    [Fact]
    public void A_common_schema_metric_alert_becomes_one_alert_keyed_by_its_alert_id()
    {
        var result = AzureMonitorParser.Parse(AlertSamples.Bytes(AlertSamples.AzureMonitor()));

        Assert.True(result.IsValid, result.Error?.ToString());
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("azure-monitor", alert.Source);
        Assert.Equal("RegionDown", alert.Name);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.StartsWith("/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.AlertsManagement/alerts/", alert.DedupKey, StringComparison.Ordinal);
        Assert.Equal("azure-monitor:RegionDown", alert.GroupKey);
        Assert.Equal("east-us", alert.Region);
        Assert.Equal(3, alert.Value);
        Assert.Equal("Health checks of east-us failing", alert.Summary);
        Assert.Equal("Sev0", alert.Labels["severity"]);
        Assert.Equal("Metric", alert.Labels["signalType"]);
        Assert.Equal("sre", alert.Labels["team"]);
        Assert.Contains("trafficmanagerprofiles/policycortex-tm", alert.Labels["alertTargetIDs"], StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 5, TimeSpan.Zero).AddTicks(1234567), alert.StartsAt);
        Assert.Null(alert.EndsAt);
    }

    [Fact]
    public void A_resolved_notification_has_the_same_id_and_its_resolved_time()
    {
        var fired = AzureMonitorParser.Parse(AlertSamples.Bytes(AlertSamples.AzureMonitor())).Alerts[0];
        var resolved = AzureMonitorParser.Parse(AlertSamples.Bytes(AlertSamples.AzureMonitor(condition: "Resolved"))).Alerts[0];

        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(fired.DedupKey, resolved.DedupKey);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 30, 0, TimeSpan.Zero), resolved.EndsAt);
    }

    [Fact]
    public void A_log_alert_without_metric_criteria_still_parses_without_a_value()
    {
        const string body = """
            {"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{"alertId":"/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/1",
             "alertRule":"BackupFailed","severity":"Sev1","signalType":"Log","monitorCondition":"Fired","monitoringService":"Log Analytics",
             "alertTargetIDs":[],"firedDateTime":"2026-03-01T02:10:00Z","description":""},
             "alertContext":{"SearchQuery":"BackupEvents | where Result == 'Failed'","ResultCount":1}}}
            """;

        var alert = Assert.Single(AzureMonitorParser.Parse(AlertSamples.Bytes(body)).Alerts);

        Assert.Null(alert.Value);
        Assert.Null(alert.Region);
        Assert.Equal("BackupFailed Fired", alert.Summary);
    }

    [Theory]
    [InlineData("{\"schemaId\":\"Microsoft.Insights/activityLogs\",\"data\":{}}", "$.schemaId", "enable the common alert schema")]
    [InlineData("{\"data\":{}}", "$.schemaId", "is missing")]
    [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\"}", "$.data.essentials", "is missing")]
    [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertRule\":\"R\",\"severity\":\"Sev1\",\"monitorCondition\":\"Fired\",\"firedDateTime\":\"2026-01-01T00:00:00Z\"}}}", "$.data.essentials.alertId", "is missing")]
    [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertId\":\"a\",\"severity\":\"Sev1\",\"monitorCondition\":\"Fired\",\"firedDateTime\":\"2026-01-01T00:00:00Z\"}}}", "$.data.essentials.alertRule", "is missing")]
    [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertId\":\"a\",\"alertRule\":\"R\",\"severity\":\"Sev9\",\"monitorCondition\":\"Fired\",\"firedDateTime\":\"2026-01-01T00:00:00Z\"}}}", "$.data.essentials.severity", "valid: Sev0, Sev1, Sev2, Sev3, Sev4")]
    [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertId\":\"a\",\"alertRule\":\"R\",\"severity\":\"Sev1\",\"monitorCondition\":\"Active\",\"firedDateTime\":\"2026-01-01T00:00:00Z\"}}}", "$.data.essentials.monitorCondition", "valid: \"Fired\", \"Resolved\"")]
    [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertId\":\"a\",\"alertRule\":\"R\",\"severity\":\"Sev1\",\"monitorCondition\":\"Fired\"}}}", "$.data.essentials.firedDateTime", "is missing")]
    [InlineData("[1,2]", "$", "wrong type")]
    public void A_bad_body_is_refused_naming_the_field_and_what_is_valid(string body, string field, string message)
    {
        var result = AzureMonitorParser.Parse(AlertSamples.Bytes(body));

        Assert.False(result.IsValid);
        Assert.Equal(field, result.Error!.Field);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
    }
}
