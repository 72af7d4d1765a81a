using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Parsing;

namespace DrBot.Bot.Tests.Alerts.Parsing;

public class GenericAlertParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_single_object_with_an_id_is_keyed_by_that_id()
    {
        const string body = """{"name":"replication_lag","status":"firing","severity":"warning","region":"east-us","value":12.5,"summary":"replica behind","id":"lag-42","labels":{"job":"pg"}}""";

        var alert = Assert.Single(GenericAlertParser.Parse(AlertSamples.Bytes(body), ReceivedAt).Alerts);

        Assert.Equal("generic", alert.Source);
        Assert.Equal("id:lag-42", alert.DedupKey);
        Assert.Equal("generic:replication_lag/east-us", alert.GroupKey);
        Assert.Equal(12.5, alert.Value);
        Assert.Equal("east-us", alert.Region);
        Assert.Equal("replica behind", alert.Summary);
        Assert.Equal("pg", alert.Labels["job"]);
        Assert.Equal("warning", alert.Labels["severity"]);
        Assert.Equal(ReceivedAt, alert.StartsAt); // no startsAt: the time it arrived
    }

    [Fact]
    public void An_array_without_ids_is_keyed_by_name_region_and_start_and_may_name_its_group()
    {
        const string body = """
            [{"name":"BackupLate","status":"firing","region":"east-us","value":"5400","startsAt":"2026-03-01T03:00:00Z","group":"backups"},
             {"name":"region_down","status":"resolved","startsAt":"2026-03-01T04:00:00+01:00"}]
            """;

        var alerts = GenericAlertParser.Parse(AlertSamples.Bytes(body), ReceivedAt).Alerts;

        Assert.Equal(2, alerts.Count);
        Assert.Equal("BackupLate/east-us@2026-03-01T03:00:00.0000000Z", alerts[0].DedupKey);
        Assert.Equal("generic:backups", alerts[0].GroupKey);
        Assert.Equal(5400, alerts[0].Value); // numbers may come as strings
        Assert.Equal("region_down/@2026-03-01T03:00:00.0000000Z", alerts[1].DedupKey);
        Assert.Equal(AlertStatus.Resolved, alerts[1].Status);
        Assert.Equal("region_down", alerts[1].Summary);
    }

    [Theory]
    [InlineData("\"hello\"", "$", "an alert object or an array")]
    [InlineData("[]", "$", "empty array")]
    [InlineData("{\"status\":\"firing\",\"id\":\"1\"}", "$.name", "is missing")]
    [InlineData("{\"name\":\"x\",\"id\":\"1\"}", "$.status", "is missing; valid: \"firing\", \"resolved\"")]
    [InlineData("{\"name\":\"x\",\"status\":\"fired\",\"id\":\"1\"}", "$.status", "is \"fired\"; valid: \"firing\", \"resolved\"")]
    [InlineData("{\"name\":\"x\",\"status\":\"firing\",\"severity\":\"high\",\"id\":\"1\"}", "$.severity", "valid: \"critical\", \"warning\", \"info\"")]
    [InlineData("{\"name\":\"x\",\"status\":\"firing\"}", "$.id", "send an id or a startsAt")]
    [InlineData("{\"name\":\"x\",\"status\":\"firing\",\"id\":\"1\",\"value\":\"lots\"}", "$.value", "wrong type")]
    [InlineData("[{\"name\":\"x\",\"status\":\"firing\",\"id\":\"1\"},{\"name\":\"y\",\"status\":\"firing\"}]", "$[1].id", "send an id or a startsAt")]
    [InlineData("[{\"name\":\"x\",\"status\":\"firing\",\"id\":\"1\"},null]", "$[1]", "is null")]
    [InlineData("{\"name\":\"x\",\"status\":\"firing\",\"id\":\"1\",", "$", "not well-formed JSON")]
    public void A_bad_body_is_refused_naming_the_field_and_what_is_valid(string body, string field, string message)
    {
        var result = GenericAlertParser.Parse(AlertSamples.Bytes(body), ReceivedAt);

        Assert.False(result.IsValid);
        Assert.Empty(result.Alerts);
        Assert.Equal(field, result.Error!.Field);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
    }
}
