using System.Text.Json;
using DrBot.Bot.Compliance;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Compliance;

/// <summary><c>report compliance</c>: drills, failovers with approvals and RTO/RPO, backup tests and the audit chain, from the store.</summary>
public sealed class ComplianceReportTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_report_holds_the_drill_the_failover_with_its_approver_and_the_audit_verification()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill region-failure");
        bot.Time.Advance(TimeSpan.FromMinutes(3));
        await chat.FailoverAsync("alice", "bob", "west-us");
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));

        var reply = await chat.SayAsync("dana", "report compliance 2026-11-01 2026-11-30");
        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("1 drills (1 passed), 1 failovers, 0 backup/consistency tests, audit chain intact", reply.Text, StringComparison.Ordinal);
        Assert.Contains("/reports/compliance.md?from=2026-11-01&to=2026-11-30", reply.Text, StringComparison.Ordinal);

        var service = bot.Get<ComplianceService>();
        var period = service.ParsePeriod("2026-11-01", "2026-11-30", out _)!.Value;
        var report = await service.BuildAsync(period.From, period.To, None);
        var markdown = report.ToMarkdown();
        Assert.Contains("Hash chain verification: **intact**", markdown, StringComparison.Ordinal);
        Assert.Matches(@"\| region-failover → west-us \| INC-0001 \| .* \| succeeded \| [^|]*approved by Bob \(bob\)[^|]* \| 3 min \d\d s \(15 min 00 s\) \|", markdown);
        Assert.Matches(@"\| EX-0001 \| region-failure \(simulated\) \| east-us \| .* \| passed \| pass Failover triggered", markdown);
        var json = JsonDocument.Parse(JsonSerializer.Serialize(report)).RootElement;
        Assert.Equal("bob", json.GetProperty("Failovers")[0].GetProperty("Approvals")[0].GetProperty("DecidedBy").GetString());

        var before = service.ParsePeriod("2026-10-01", "2026-10-31", out _)!.Value;
        var empty = await service.BuildAsync(before.From, before.To, None);
        Assert.Empty(empty.Drills);
        Assert.Empty(empty.Failovers);
    }

    [Fact]
    public async Task Dates_that_are_not_days_or_out_of_order_are_refused_with_the_format()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        var bad = await chat.SayAsync("dana", "report compliance 11/01/2026");
        Assert.True(bad.IsError);
        Assert.Contains("yyyy-MM-dd", bad.Text, StringComparison.Ordinal);
        var reversed = await chat.SayAsync("dana", "report compliance 2026-11-20 2026-11-01");
        Assert.True(reversed.IsError);
        Assert.Contains("must be on or before", reversed.Text, StringComparison.Ordinal);
    }
}
