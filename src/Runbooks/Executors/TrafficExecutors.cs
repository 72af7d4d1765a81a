using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;

namespace DrBot.Runbooks.Executors;

/// <summary>Enables one traffic-manager endpoint, verifying its current status first.</summary>
public sealed class TrafficEnableExecutor(ITrafficRouter traffic) : IStepExecutor
{
    public string Name => ExecutorNames.TrafficEnable;

    public Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        TrafficSwitchExecutor.SetAsync(traffic, context.Text("region", context.Run.Region), true, cancellationToken);
}

/// <summary>Disables one traffic-manager endpoint, verifying its current status first.</summary>
public sealed class TrafficDisableExecutor(ITrafficRouter traffic) : IStepExecutor
{
    public string Name => ExecutorNames.TrafficDisable;

    public Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        TrafficSwitchExecutor.SetAsync(traffic, context.Text("region", context.Run.Region), false, cancellationToken);
}

/// <summary>
/// Moves traffic: disables the <c>from</c> endpoint, then enables the <c>to</c> endpoint (the order of
/// application-failover.sh). Each half is verified first, so a repeat changes nothing.
/// </summary>
public sealed class TrafficSwitchExecutor(ITrafficRouter traffic) : IStepExecutor
{
    public string Name => ExecutorNames.TrafficSwitch;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var from = context.Text("from", context.Run.FromRegion);
        var to = context.Text("to", context.Run.Region);
        var disabled = await SetAsync(traffic, from, false, cancellationToken);
        if (disabled.Kind != StepResultKind.Succeeded)
        {
            return disabled;
        }
        var enabled = await SetAsync(traffic, to, true, cancellationToken);
        return enabled.Kind == StepResultKind.Succeeded
            ? StepResult.Ok($"traffic moved from {from} to {to}: {disabled.Detail}; {enabled.Detail}")
            : enabled;
    }

    internal static async Task<StepResult> SetAsync(ITrafficRouter traffic, string region, bool enable, CancellationToken cancellationToken)
    {
        var endpoints = await traffic.GetEndpointsAsync(cancellationToken);
        var endpoint = endpoints.FirstOrDefault(e => string.Equals(e.Region, region, StringComparison.OrdinalIgnoreCase));
        var verb = enable ? "enabled" : "disabled";
        if (endpoint is not null && endpoint.Enabled == enable)
        {
            return StepResult.Ok($"{region} endpoint already {verb}");
        }
        var result = await traffic.SetEndpointAsync(region, enable, cancellationToken);
        return result.Succeeded ? StepResult.Ok($"{region} endpoint {verb}") : result.ToStepResult();
    }
}
