using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Commands;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Drills;

/// <summary>
/// <c>drill</c>: breaks the simulated regions on purpose so the team can rehearse. A region-down
/// drill raises the same alert a real region failure would, so the whole flow — alert card, P1
/// incident, proposed failover, approval — is exercised. Live infrastructure is never touched.
/// </summary>
public sealed class DrillService(IServiceProvider services, AlertIntake alerts, IOptions<DrBotOptions> options, TimeProvider time)
{
    public async Task<string> RunAsync(DrillCommand drill, Actor actor, CancellationToken cancellationToken)
    {
        if (services.GetService<SimulatedWorld>() is not { } world)
            return "Drills inject faults into the simulated regions only (DrBot:Infrastructure:Mode = Simulated). In Live mode rehearse with a planned `failover <region>` in a maintenance window.";

        var regions = options.Value.Regions;
        string RegionWithRole(string role) => options.Value.RegionWithRole(role) ?? regions.Keys.First();
        var scenario = drill.Scenario ?? "region-down";
        if (scenario == "clear")
        {
            world.ClearFaults(drill.Region);
            return $"Drill over: faults cleared in {drill.Region ?? "every region"} by {actor.DisplayName}.";
        }
        if (scenario.StartsWith("lag:", StringComparison.Ordinal))
        {
            var target = drill.Region ?? RegionWithRole(RegionRoles.Secondary);
            var result = world.ApplyFault(SimulatedFaultKinds.ReplicationLag, target, scenario["lag:".Length..]);
            return result.Ok ? $"Drill: {result.Message}" : result.Message;
        }
        if (scenario == "secondary-unhealthy")
        {
            var result = world.ApplyFault(SimulatedFaultKinds.SecondaryUnhealthy, drill.Region ?? RegionWithRole(RegionRoles.Secondary));
            return result.Ok ? $"Drill: {result.Message}" : result.Message;
        }

        var down = drill.Region ?? RegionWithRole(RegionRoles.Primary);
        var applied = world.ApplyFault(SimulatedFaultKinds.RegionDown, down);
        if (!applied.Ok)
            return applied.Message;
        var now = time.GetUtcNow();
        var alert = new NormalizedAlert("drill", $"drill:region-down:{down}:{now.UtcTicks}", $"drill:{down}", "RegionDown", AlertStatus.Firing, down, null,
            $"Drill by {actor.DisplayName}: every health check of {down} fails.", new Dictionary<string, string> { ["region"] = down, ["drill"] = "true" }, now, null);
        await alerts.RecordDecidedAsync([(alert, new AlertDecision(AlertAction.OpenIncidentAndProposeFailover, "P1", $"Region {down} is down (drill)", "region-failover", "region_down"))], cancellationToken);
        return $"Drill started by {actor.DisplayName}: {down} is down in the simulated world. Follow the alert card; `drill clear` ends it.";
    }
}
