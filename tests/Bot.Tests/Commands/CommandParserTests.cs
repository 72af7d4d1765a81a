using DrBot.Bot.Commands;

namespace DrBot.Bot.Tests.Commands;

public class CommandParserTests
{
    private readonly CommandParser _parser = new(["east-us", "west-us", "north-europe"], ["region-failover", "database-failover", "application-failover", "failback"]);

    [Theory]
    [InlineData("/failover west-us")]
    [InlineData("failover west-us")]
    [InlineData("  /failover   WEST-US ")]
    [InlineData("@DrBot failover west-us")]
    [InlineData("/drbot failover west-us")]
    public void Failover_is_understood_with_or_without_slash_or_bot_name(string text)
    {
        var result = _parser.Parse(text);
        Assert.Equal(new StartRunbookCommand("region-failover", "west-us"), result.Command);
    }

    [Theory]
    [InlineData("failover-db west-us", "database-failover")]
    [InlineData("failover-app west-us", "application-failover")]
    [InlineData("failback west-us", "failback")]
    [InlineData("failover west-us --planned", "planned-switchover")]
    public void Each_runbook_command_maps_to_its_runbook(string text, string runbook) =>
        Assert.Equal(new StartRunbookCommand(runbook, "west-us"), _parser.Parse(text).Command);

    [Theory]
    [InlineData("retry", Runbooks.Engine.AfterPointOfNoReturn.Retry, null)]
    [InlineData("skip run-7", Runbooks.Engine.AfterPointOfNoReturn.Skip, "run-7")]
    [InlineData("rollback run-7 traffic is worse", Runbooks.Engine.AfterPointOfNoReturn.RollBack, "run-7")]
    public void The_point_of_no_return_choices_can_be_typed(string text, Runbooks.Engine.AfterPointOfNoReturn choice, string? runId)
    {
        var command = Assert.IsType<PointOfNoReturnCommand>(_parser.Parse(text).Command);
        Assert.Equal(choice, command.Choice);
        Assert.Equal(runId, command.RunId);
    }

    [Fact]
    public void A_flag_other_than_planned_is_answered_with_the_usage()
    {
        var result = _parser.Parse("failover west-us --fast");
        Assert.Null(result.Command);
        Assert.Contains("[--planned]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_region_is_answered_with_the_valid_regions()
    {
        var result = _parser.Parse("/failover mars-1");
        Assert.Null(result.Command);
        Assert.Contains("Unknown region 'mars-1'", result.Error);
        Assert.Contains("east-us, west-us, north-europe", result.Error);
    }

    [Fact]
    public void A_missing_region_is_answered_with_usage() =>
        Assert.Contains("Usage: failover <region>", _parser.Parse("failover").Error);

    [Fact]
    public void An_unknown_command_lists_every_command()
    {
        var result = _parser.Parse("/reboot everything");
        Assert.Contains("Unknown command 'reboot'", result.Error);
        Assert.Contains("incident open <P1..P4> <title>", result.Error);
    }

    [Fact]
    public void Incident_commands_parse_with_optional_ids()
    {
        Assert.Equal(new OpenIncidentCommand("P1", "East US is down"), _parser.Parse("incident open p1 East US is down").Command);
        Assert.Equal(new IncidentActionCommand(IncidentVerb.Ack, null), _parser.Parse("incident ack").Command);
        Assert.Equal(new IncidentActionCommand(IncidentVerb.Close, "INC-0002"), _parser.Parse("incident close inc-0002").Command);
        Assert.Equal(new SetCommanderCommand("carol", null), _parser.Parse("incident commander @carol").Command);
    }

    [Fact]
    public void A_bad_severity_names_the_valid_ones() =>
        Assert.Contains("Valid: P1, P2, P3, P4", _parser.Parse("incident open P7 broken").Error);

    [Fact]
    public void Typed_approve_takes_an_optional_run_id_and_reason()
    {
        Assert.Equal(new DecideCommand(true, "run-12", "lag is fine"), _parser.Parse("approve Run-12 lag is fine").Command);
        Assert.Equal(new DecideCommand(false, null, "too risky"), _parser.Parse("reject too risky").Command);
    }

    [Fact]
    public void Runbook_accepts_the_command_name_too() =>
        Assert.Equal(new ShowRunbookCommand("database-failover"), _parser.Parse("runbook failover-db").Command);

    [Fact]
    public void Drill_lag_needs_a_number_of_seconds()
    {
        Assert.Equal(new DrillCommand("lag:90", "west-us"), _parser.Parse("drill lag 90 west-us").Command);
        Assert.Contains("whole number", _parser.Parse("drill lag soon").Error);
    }

    [Fact]
    public void Update_needs_text() => Assert.Contains("Usage: update <text>", _parser.Parse("update").Error);
}
