using System.Globalization;
using System.Text;

namespace DrBot.Bot.Tests.Alerts;

/// <summary>Realistic webhook bodies, shaped like what Alertmanager and Azure Monitor send.</summary>
internal static class AlertSamples
{
    public const string AlertmanagerGroupKey = "{}/{severity=~\"warning|critical\"}:{alertname=\"ReplicationLag\"}";

    public static string Alertmanager(string status = "firing", string alertname = "ReplicationLag", string value = "42", string fingerprint = "a1b2c3d4e5f60718", string startsAt = "2026-03-01T10:00:00.123Z", string region = "west-us") => $$"""
        {
          "receiver": "drbot",
          "status": "{{status}}",
          "alerts": [
            {
              "status": "{{status}}",
              "labels": {
                "alertname": "{{alertname}}",
                "instance": "pg-west-1:9187",
                "job": "postgres",
                "region": "{{region}}",
                "severity": "critical"
              },
              "annotations": {
                "summary": "Replica in {{region}} is {{value}} s behind the primary",
                "value": "{{value}}"
              },
              "startsAt": "{{startsAt}}",
              "endsAt": "{{(status == "resolved" ? "2026-03-01T10:20:00Z" : "0001-01-01T00:00:00Z")}}",
              "generatorURL": "http://prometheus:9090/graph?g0.expr=pg_replication_lag_seconds+%3E+30",
              "fingerprint": "{{fingerprint}}"
            }
          ],
          "groupLabels": { "alertname": "{{alertname}}" },
          "commonLabels": { "alertname": "{{alertname}}", "job": "postgres", "severity": "critical" },
          "commonAnnotations": {},
          "externalURL": "http://alertmanager:9093",
          "version": "4",
          "groupKey": "{{AlertmanagerGroupKey.Replace("\"", "\\\"", StringComparison.Ordinal)}}",
          "truncatedAlerts": 0
        }
        """;

    /// <summary>An Alertmanager group of <paramref name="count"/> distinct firing alerts.</summary>
    public static string AlertmanagerGroup(int count, string alertname = "ReplicationLag")
    {
        var alerts = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            alerts.Append(CultureInfo.InvariantCulture, $$"""
                {"status":"firing","labels":{"alertname":"{{alertname}}","instance":"pg-{{i}}","region":"east-us"},
                 "annotations":{"value":"{{12 + i}}"},"startsAt":"2026-03-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                 "generatorURL":"http://prometheus:9090/graph","fingerprint":"fp{{i:D4}}"}
                """);
            if (i < count - 1)
            {
                alerts.Append(',');
            }
        }
        return $$"""
            {"receiver":"drbot","status":"firing","alerts":[{{alerts}}],"groupLabels":{"alertname":"{{alertname}}"},
             "commonLabels":{"alertname":"{{alertname}}"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093",
             "version":"4","groupKey":"{}:{alertname=\"{{alertname}}\"}","truncatedAlerts":0}
            """;
    }

    public static string AzureMonitor(string condition = "Fired", string rule = "RegionDown", string severity = "Sev0", double metricValue = 3) => $$"""
        {
          "schemaId": "azureMonitorCommonAlertSchema",
          "data": {
            "essentials": {
              "alertId": "/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.AlertsManagement/alerts/9a1c0b6e-7f1d-4c3e-8e7a-0d6c2b1f4a11",
              "alertRule": "{{rule}}",
              "severity": "{{severity}}",
              "signalType": "Metric",
              "monitorCondition": "{{condition}}",
              "monitoringService": "Platform",
              "alertTargetIDs": [
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/policycortex-rg/providers/microsoft.network/trafficmanagerprofiles/policycortex-tm"
              ],
              "configurationItems": [ "policycortex-tm" ],
              "originAlertId": "11111111-2222-3333-4444-555555555555_policycortex-rg_microsoft.insights_metricAlerts_RegionDown_1234567",
              "firedDateTime": "2026-03-01T10:00:05.1234567Z",
              {{(condition == "Resolved" ? "\"resolvedDateTime\": \"2026-03-01T10:30:00.0000000Z\"," : "")}}
              "description": "Health checks of east-us failing",
              "essentialsVersion": "1.0",
              "alertContextVersion": "1.0"
            },
            "alertContext": {
              "properties": null,
              "conditionType": "SingleResourceMultipleMetricCriteria",
              "condition": {
                "windowSize": "PT5M",
                "allOf": [
                  {
                    "metricName": "ProbeAgentCurrentEndpointStateByProfileResourceId",
                    "metricNamespace": "Microsoft.Network/trafficManagerProfiles",
                    "operator": "LessThan",
                    "threshold": "1",
                    "timeAggregation": "Maximum",
                    "dimensions": [ { "name": "EndpointName", "value": "primary-endpoint" } ],
                    "metricValue": {{metricValue.ToString(CultureInfo.InvariantCulture)}},
                    "webTestName": null
                  }
                ],
                "windowStartTime": "2026-03-01T09:55:00Z",
                "windowEndTime": "2026-03-01T10:00:00Z"
              }
            },
            "customProperties": { "region": "east-us", "team": "sre" }
          }
        }
        """;

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);
}
