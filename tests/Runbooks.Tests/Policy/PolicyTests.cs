using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Tests.Policy;

public sealed class PolicyTests
{
    private static readonly DrBotOptions Defaults = DrBotOptionsDefaults.Create();
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_severity_policy_reads_the_escalation_matrix()
    {
        var policy = new SeverityPolicy(Defaults);

        Assert.Equal(["P1", "P2", "P3", "P4"], policy.Names);
        Assert.Equal("P1", policy.Normalize("critical"));
        Assert.Equal(TimeSpan.FromMinutes(30), policy.ResponseTime("p2"));
        Assert.Equal(["oncall", "lead"], policy.TeamRoles("P1"));
        Assert.Equal(("cto", TimeSpan.FromMinutes(30)), policy.Escalation("P1"));
        Assert.Equal(((string?)null, (TimeSpan?)null), policy.Escalation("P4"));
        Assert.True(policy.OpensWarRoom("P1"));
        Assert.False(policy.OpensWarRoom("P2"));
        Assert.Contains("valid: P1, P2, P3, P4", Assert.Throws<ArgumentException>(() => policy.Get("P9")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tier_policy_finds_a_service_tier_and_the_strictest_of_several()
    {
        var policy = new TierPolicy(Defaults);

        Assert.Equal("important", policy.TierOf("frontend"));
        Assert.Null(policy.TierOf("unknown"));
        Assert.Equal("critical", policy.TierFor(["frontend", "core-api", "reporting"]));
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromMinutes(15)), (policy.Rto("important"), policy.Rpo("important")));
    }

    [Fact]
    public void Incident_metrics_measure_detection_failover_rto_and_rpo_against_the_tier()
    {
        var incident = new Incident
        {
            Tier = "critical",
            FailureStartedAt = Start,
            OpenedAt = Start.AddMinutes(2),
            DetectedAt = Start.AddMinutes(2),
            AcknowledgedAt = Start.AddMinutes(5),
            FailoverCompletedAt = Start.AddMinutes(18),
            MeasuredRpo = TimeSpan.FromMinutes(1),
        };

        var metrics = new TierPolicy(Defaults).Measure(incident, Start.AddMinutes(30));

        Assert.Equal(TimeSpan.FromMinutes(2), metrics.TimeToDetect);
        Assert.Equal(TimeSpan.FromMinutes(3), metrics.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(16), metrics.TimeToFailover);
        Assert.Equal(TimeSpan.FromMinutes(18), metrics.MeasuredRto);
        Assert.False(metrics.RtoMet);
        Assert.True(metrics.RpoMet);
        Assert.Equal(TimeSpan.FromMinutes(30), metrics.Elapsed);
    }

    [Fact]
    public void Without_a_known_failure_start_the_rto_counts_from_the_opening_and_the_remaining_time_shows_while_it_runs()
    {
        var incident = new Incident { Tier = "important", OpenedAt = Start };

        var metrics = new TierPolicy(Defaults).Measure(incident, Start.AddMinutes(20));

        Assert.Null(metrics.TimeToDetect);
        Assert.Null(metrics.MeasuredRto);
        Assert.Null(metrics.RtoMet);
        Assert.Equal(TimeSpan.FromMinutes(40), metrics.RtoRemaining);
    }
}
