using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Parsing;

namespace DrBot.Bot.Tests.Alerts.Parsing;

public class AlertmanagerParserTests
{
    [Fact]
    public void A_version_4_payload_becomes_one_alert_per_entry_with_its_labels_value_and_dedup_key()
    {
        var result = AlertmanagerParser.Parse(AlertSamples.Bytes(AlertSamples.Alertmanager()));

        Assert.True(result.IsValid, result.Error?.ToString());
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("alertmanager", alert.Source);
        Assert.Equal("ReplicationLag", alert.Name);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal("west-us", alert.Region);
        Assert.Equal(42, alert.Value);
        Assert.Equal("Replica in west-us is 42 s behind the primary", alert.Summary);
        Assert.Equal("postgres", alert.Labels["job"]);
        Assert.Equal("a1b2c3d4e5f60718@2026-03-01T10:00:00.1230000Z", alert.DedupKey);
        Assert.Equal("alertmanager:" + AlertSamples.AlertmanagerGroupKey, alert.GroupKey);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, 123, TimeSpan.Zero), alert.StartsAt);
        Assert.Null(alert.EndsAt); // 0001-01-01 means "no end yet"
    }

    [Fact]
    public void A_resolved_alert_keeps_its_dedup_key_and_gets_its_end_time()
    {
        var firing = AlertmanagerParser.Parse(AlertSamples.Bytes(AlertSamples.Alertmanager())).Alerts[0];
        var resolved = AlertmanagerParser.Parse(AlertSamples.Bytes(AlertSamples.Alertmanager(status: "resolved"))).Alerts[0];

        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(firing.DedupKey, resolved.DedupKey);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 20, 0, TimeSpan.Zero), resolved.EndsAt);
    }

    [Fact]
    public void A_group_of_ten_alerts_keeps_their_order()
    {
        var result = AlertmanagerParser.Parse(AlertSamples.Bytes(AlertSamples.AlertmanagerGroup(10)));

        Assert.True(result.IsValid, result.Error?.ToString());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"pg-{i}"), result.Alerts.Select(a => a.Labels["instance"]));
        Assert.Equal(10, result.Alerts.Select(a => a.DedupKey).Distinct().Count());
    }

    [Theory]
    [InlineData("", "$", "empty")]
    [InlineData("null", "$", "JSON null")]
    [InlineData("{\"version\":\"4\",", "$", "not well-formed JSON")]
    [InlineData("{\"version\":\"3\",\"groupKey\":\"g\",\"alerts\":[]}", "$.version", "is \"3\"; this endpoint takes Alertmanager webhook payload version \"4\"")]
    [InlineData("{\"groupKey\":\"g\",\"alerts\":[]}", "$.version", "is missing")]
    [InlineData("{\"version\":\"4\",\"alerts\":[]}", "$.groupKey", "is missing")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[]}", "$.alerts", "missing or empty")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"yesterday\",\"fingerprint\":\"f\"}]}", "$.alerts[0].startsAt", "wrong type")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"pending\",\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"2026-01-01T00:00:00Z\",\"fingerprint\":\"f\"}]}", "$.alerts[0].status", "is \"pending\"; valid: \"firing\", \"resolved\"")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"firing\",\"labels\":{},\"startsAt\":\"2026-01-01T00:00:00Z\",\"fingerprint\":\"f\"}]}", "$.alerts[0].labels.alertname", "is missing")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"},\"fingerprint\":\"f\"}]}", "$.alerts[0].startsAt", "is missing")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"2026-01-01T00:00:00Z\"}]}", "$.alerts[0].fingerprint", "is missing")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":7}}]}", "$.alerts[0].labels.alertname", "wrong type")]
    public void A_bad_body_is_refused_naming_the_field_and_what_is_valid(string body, string field, string message)
    {
        var result = AlertmanagerParser.Parse(AlertSamples.Bytes(body));

        Assert.False(result.IsValid);
        Assert.Empty(result.Alerts);
        Assert.Equal(field, result.Error!.Field);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
    }
}
