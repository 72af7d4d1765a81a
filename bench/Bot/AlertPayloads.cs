using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DrBot.Bench.Bot;

/// <summary>
/// The alerts of one post, written for the bot (an Alertmanager webhook notification, payload
/// version 4) and for Alertmanager itself (<c>POST /api/v2/alerts</c>): the same ten alerts with the
/// same labels, so both servers take the same load. Post <c>n</c> carries alerts n×10 … n×10+9.
/// </summary>
internal static class AlertPayloads
{
    public const int AlertsPerPost = 10;

    public static byte[] Webhook(string runTag, int post, bool resolved = false)
    {
        var group = $"{{}}:{{bench=\"{runTag}\",batch=\"{post}\"}}";
        var json = new StringBuilder(4096);
        json.Append(CultureInfo.InvariantCulture, $$"""{"version":"4","groupKey":{{JsonSerializer.Serialize(group)}},"status":"{{Status(resolved)}}","receiver":"drbot","truncatedAlerts":0,""");
        json.Append(CultureInfo.InvariantCulture, $$"""
            "groupLabels":{"batch":"{{post}}"},"commonLabels":{"alertname":"DiskSpaceLow","severity":"warning"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","alerts":[
            """);
        for (var a = 0; a < AlertsPerPost; a++)
        {
            if (a > 0)
                json.Append(',');
            var instance = post * AlertsPerPost + a;
            json.Append(CultureInfo.InvariantCulture, $$"""
                {"status":"{{Status(resolved)}}","labels":{{Labels(runTag, post, instance)}},
                "annotations":{{Annotations(instance)}},
                "startsAt":"2026-11-25T03:00:00Z","endsAt":"{{(resolved ? "2026-11-25T03:05:00Z" : "0001-01-01T00:00:00Z")}}","generatorURL":"http://prometheus:9090/graph",
                "fingerprint":"bench{{runTag}}-{{instance:x8}}"}
                """);
        }
        json.Append("]}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public static byte[] AlertmanagerApi(string runTag, int post)
    {
        var json = new StringBuilder(3072).Append('[');
        for (var a = 0; a < AlertsPerPost; a++)
        {
            if (a > 0)
                json.Append(',');
            var instance = post * AlertsPerPost + a;
            json.Append(CultureInfo.InvariantCulture, $$"""
                {"labels":{{Labels(runTag, post, instance)}},"annotations":{{Annotations(instance)}},
                "startsAt":"2026-11-25T03:00:00Z","generatorURL":"http://prometheus:9090/graph"}
                """);
        }
        return Encoding.UTF8.GetBytes(json.Append(']').ToString());
    }

    private static string Status(bool resolved) => resolved ? "resolved" : "firing";

    private static string Labels(string runTag, int post, int instance) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"alertname":"DiskSpaceLow","severity":"warning","region":"east-us","instance":"node-{{instance}}:9100","batch":"{{post}}","bench":"{{runTag}}"}""");

    private static string Annotations(int instance) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"summary":"node-{{instance}} has less than 10% disk space left","value":"8.5"}""");
}
