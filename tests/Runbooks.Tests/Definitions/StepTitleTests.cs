using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;

namespace DrBot.Runbooks.Tests.Definitions;

/// <summary>Titles people read never show a hole where a fact is not known.</summary>
public sealed class StepTitleTests
{
    private const string DataLossGate = "Accept possible data loss (lag {fact:replication_lag_seconds} s)";

    [Fact]
    public void A_known_fact_is_shown_in_the_title()
    {
        var run = Run(("replication_lag_seconds", "75"));
        Assert.Equal("Accept possible data loss (lag 75 s)", StepArguments.ResolveTitle(DataLossGate, run));
    }

    [Fact]
    public void A_clause_whose_fact_is_unknown_is_left_out()
    {
        Assert.Equal("Accept possible data loss", StepArguments.ResolveTitle(DataLossGate, Run()));
        Assert.Equal("Accept possible data loss", StepArguments.ResolveTitle(DataLossGate, Run(("replication_lag_seconds", ""))));
    }

    [Fact]
    public void An_unknown_fact_outside_a_clause_reads_unknown_and_other_placeholders_still_resolve()
    {
        var run = Run();
        Assert.Equal("Lag of west-us is unknown s", StepArguments.ResolveTitle("Lag of {region} is {fact:lag} s", run));
    }

    private static RunRecord Run(params (string Name, string Value)[] facts)
    {
        var run = new RunRecord { Id = "run-1", Region = "west-us" };
        foreach (var (name, value) in facts)
            run.Facts[name] = value;
        return run;
    }
}
