using System.Text.Json.Nodes;
using Azure.Core;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Azure;

/// <summary>
/// Azure Traffic Manager endpoints, one per region (<c>DrBot:Regions:&lt;region&gt;:Traffic:EndpointResourceId</c>,
/// e.g. <c>…/trafficManagerProfiles/policycortex/azureEndpoints/east-us</c>), enabled or disabled with a
/// PATCH of <c>properties.endpointStatus</c>, verified before (already so = no-op) and after.
/// </summary>
public sealed class AzureTrafficManagerRouter : ITrafficRouter
{
    /// <summary>Endpoints - Get / Update of Microsoft.Network/trafficmanagerprofiles, stable api-version 2022-04-01.</summary>
    public const string ApiVersion = "2022-04-01";

    private readonly ArmRestClient _arm;
    private readonly IOptionsMonitor<DrBotOptions> _regions;

    public AzureTrafficManagerRouter(ArmRestClient arm, IOptionsMonitor<DrBotOptions> regions)
    {
        _arm = arm;
        _regions = regions;
    }

    public async Task<IReadOnlyList<TrafficEndpoint>> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        var endpoints = new List<TrafficEndpoint>();
        foreach (var (region, options) in _regions.CurrentValue.Regions.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var id = options.Traffic.EndpointResourceId;
            if (string.IsNullOrWhiteSpace(id)) continue;
            var result = await _arm.SendAsync(RequestMethod.Get, id, ApiVersion, null, cancellationToken);
            if (!result.IsSuccess)
                throw new InvalidOperationException(result.ToFailure($"reading Traffic Manager endpoint of {region}").Detail);
            endpoints.Add(ToEndpoint(region, result.Body));
        }
        return endpoints;
    }

    public async Task<InfraActionResult> SetEndpointAsync(string region, bool enabled, CancellationToken cancellationToken)
    {
        var id = _regions.CurrentValue.Regions.TryGetValue(region, out var r) ? r.Traffic.EndpointResourceId : null;
        if (string.IsNullOrWhiteSpace(id))
            return InfraActionResult.Failed($"No Traffic Manager endpoint configured for region '{region}': set DrBot:Regions:{region}:Traffic:EndpointResourceId.");
        var wanted = enabled ? "Enabled" : "Disabled";
        var what = $"setting the Traffic Manager endpoint of {region} to {wanted}";
        try
        {
            var current = await _arm.SendAsync(RequestMethod.Get, id, ApiVersion, null, cancellationToken);
            if (!current.IsSuccess) return current.ToFailure(what);
            if (ToEndpoint(region, current.Body).Enabled == enabled)
                return InfraActionResult.NoOp($"the Traffic Manager endpoint of {region} is already {wanted}.");

            var patch = new JsonObject { ["properties"] = new JsonObject { ["endpointStatus"] = wanted } };
            var updated = await _arm.SendAndWaitAsync(RequestMethod.Patch, id, ApiVersion, patch, cancellationToken);
            if (!updated.IsSuccess) return updated.ToFailure(what);
            var after = await _arm.SendAsync(RequestMethod.Get, id, ApiVersion, null, cancellationToken);
            if (!after.IsSuccess) return after.ToFailure($"verifying {what}");
            return ToEndpoint(region, after.Body).Enabled == enabled
                ? InfraActionResult.Done($"the Traffic Manager endpoint of {region} is now {wanted}.")
                : InfraActionResult.Failed($"{what}: Azure accepted the change but the endpoint still reads otherwise.", transient: true);
        }
        catch (Exception e) when (ArmFailures.IsArmFailure(e))
        {
            return ArmFailures.From(what, e);
        }
    }

    private static TrafficEndpoint ToEndpoint(string region, JsonNode? body)
    {
        var props = body?["properties"];
        var status = props?["endpointStatus"]?.GetValue<string>();
        var weight = props?["weight"] is JsonValue w && w.TryGetValue<long>(out var value) ? (int)value : 0;
        return new TrafficEndpoint(region, string.Equals(status, "Enabled", StringComparison.OrdinalIgnoreCase), weight);
    }
}
