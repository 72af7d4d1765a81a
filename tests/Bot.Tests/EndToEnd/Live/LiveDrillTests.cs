using System.Globalization;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using Xunit.Abstractions;

namespace DrBot.Bot.Tests.EndToEnd.Live;

/// <summary>
/// A drill in Live mode on real servers (see <see cref="LiveRegions"/>): nothing injected, a planned
/// switchover east-us → west-us approved by a lead, its validation, the old primary rejoined as a
/// replica by the operator, the failback approved by a lead, and the drill card with the measured RTO
/// and RPO, archived like the simulated drills.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LiveDrillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_live_region_failure_drill_switches_over_and_back_each_run_approved_by_a_lead_and_records_the_measured_RTO_and_RPO()
    {
        await using var live = await LiveRegions.StartAsync(r => r.BotSettings["DrBot__Drills__ObserveEvery"] = "00:00:01");
        await live.WaitForHeartbeatsAsync(2);

        var refused = await live.Bot.SendAsync("bob", "drill network-partition west-us");
        Assert.Contains("In Live mode a drill is a planned exercise", refused["reply"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var started = await live.Bot.SendAsync("bob", "drill region-failure");
        var reply = started["reply"]!["text"]!.GetValue<string>();
        Assert.Contains("Drill EX-0001 started by Bob", reply, StringComparison.Ordinal);
        Assert.Contains("east-us → west-us (run-1)", reply, StringComparison.Ordinal);

        // The switchover waits for a lead; the one who started the drill may not approve it.
        var gate = await live.RunCardAsync(t => t.Contains("run-1", StringComparison.Ordinal) && t.Contains("Approval needed", StringComparison.Ordinal), Long);
        var approve = CardJson.Actions(gate["card"]).Single(a => a.Verb == "approve");
        var own = await live.Bot.ClickAsync("bob", gate["id"]!.GetValue<string>(), "approve", approve.Data);
        Assert.True(own["reply"]!["isError"]!.GetValue<bool>(), own.ToJsonString());
        await live.Bot.ClickAsync("carol", gate["id"]!.GetValue<string>(), "approve", approve.Data);
        var switched = await live.RunCardAsync(t => t.Contains("run-1", StringComparison.Ordinal) && LiveRegions.Ended(t), Long);
        Assert.True(CardJson.Text(switched["card"]).Contains("✅ Succeeded", StringComparison.Ordinal), $"{CardJson.Text(switched["card"])}\n{live.Bot.Output}");
        await live.Bot.WaitForMessageAsync(m => CardJson.Text(m["card"]).Contains($"Make east-us a replica of west-us again", StringComparison.Ordinal), Long);
        Assert.DoesNotContain(await live.Bot.MessagesAsync(), m => CardJson.Text(m!["card"]).Contains("run-2", StringComparison.Ordinal)); // no failback while east is not a replica

        // The operator rejoins east-us as a replica of west-us; the drill starts the failback, which waits for a lead.
        await live.Pair.Primary.ReseedAsReplicaOfAsync(live.Pair.Replica);
        var failbackGate = await live.RunCardAsync(t => t.Contains("run-2", StringComparison.Ordinal) && t.Contains("Approval needed", StringComparison.Ordinal), Long);
        Assert.Contains("Approve failback to east-us", CardJson.Text(failbackGate["card"]), StringComparison.Ordinal);
        var approveBack = CardJson.Actions(failbackGate["card"]).Single(a => a.Verb == "approve");
        await live.Bot.ClickAsync("carol", failbackGate["id"]!.GetValue<string>(), "approve", approveBack.Data);

        var result = await live.Bot.WaitForMessageAsync(m => CardJson.Text(m["card"]).Contains("Drill EX-0001 region-failure:", StringComparison.Ordinal), Long);
        var text = CardJson.Text(result["card"]);
        Assert.True(text.Contains("Drill EX-0001 region-failure: passed", StringComparison.Ordinal), $"{text}\n{live.Bot.Output}");
        Assert.Contains("✅ Planned switchover to west-us", text, StringComparison.Ordinal);
        Assert.Contains("✅ west-us validated after the switchover", text, StringComparison.Ordinal);
        Assert.Contains("✅ Failback to east-us", text, StringComparison.Ordinal);
        Assert.Contains("✅ Back on east-us", text, StringComparison.Ordinal);
        Assert.Contains("RPO = 0: planned switchover", text, StringComparison.Ordinal);

        var exercise = JsonNode.Parse(await live.Bot.Http.GetStringAsync(new Uri("exercises/EX-0001.json", UriKind.Relative)))!;
        Assert.Equal("live", Field(exercise, "mode").GetValue<string>());
        Assert.Equal((int)DrBot.Runbooks.Drills.ExerciseStatus.Passed, Field(exercise, "status").GetValue<int>());
        var rto = TimeSpan.Parse(Field(exercise, "measuredRto").GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.True(rto > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, TimeSpan.Parse(Field(exercise, "measuredRpo").GetValue<string>(), CultureInfo.InvariantCulture));

        // Back where it started: east-us primary and serving, west-us out of traffic.
        Assert.False(await LiveRegions.ScalarAsync<bool>(live.Pair.Primary, "SELECT pg_is_in_recovery()"));
        Assert.Equal("Enabled", live.Arm.Resource(FakeAzureResourceManager.EndpointId("east-us"))["properties"]!["endpointStatus"]!.GetValue<string>());
        Assert.Equal("Disabled", live.Arm.Resource(FakeAzureResourceManager.EndpointId("west-us"))["properties"]!["endpointStatus"]!.GetValue<string>());
        output.WriteLine($"live drill: switchover interruption (RTO) {rto}, RPO 0");
    }

    private static JsonNode Field(JsonNode node, string name) =>
        node[name] ?? node[char.ToUpperInvariant(name[0]) + name[1..]] ?? throw new InvalidOperationException($"no {name} in {node.ToJsonString()}");
}
