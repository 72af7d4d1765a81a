using System.Text.Json.Nodes;
using Azure.Core;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Azure;

/// <summary>
/// An Azure Database for PostgreSQL flexible server replica, promoted through ARM. Role and state
/// come from ARM; replication lag, markers and the post-promotion write check go through Npgsql
/// when the region also has a connection string (ARM does not expose the lag).
/// </summary>
public sealed class AzurePostgresReplicaPromoter : IDatabaseReplica
{
    /// <summary>
    /// Servers - Update (PATCH) of Microsoft.DBforPostgreSQL/flexibleServers, stable api-version
    /// 2024-08-01, whose <c>properties.replica</c> takes <c>promoteMode</c> (standalone|switchover) and
    /// <c>promoteOption</c> (planned|forced), as in the REST reference's PromoteReplicaAs* examples.
    /// </summary>
    public const string ApiVersion = "2024-08-01";

    private readonly ArmRestClient _arm;
    private readonly IOptionsMonitor<DrBotOptions> _regions;
    private readonly AzureArmOptions _azure;
    private readonly PostgresDatabaseReplica _sql;
    private readonly PostgresConnections _connections;

    public AzurePostgresReplicaPromoter(ArmRestClient arm, IOptionsMonitor<DrBotOptions> regions, IOptions<AzureArmOptions> azure, PostgresDatabaseReplica sql, PostgresConnections connections)
    {
        _arm = arm;
        _regions = regions;
        _azure = azure.Value;
        _sql = sql;
        _connections = connections;
    }

    public async Task<DatabaseStatus> GetStatusAsync(string region, CancellationToken cancellationToken)
    {
        var id = ResourceIdOf(region);
        if (id is null) return new DatabaseStatus(region, false, false, null, null, MissingId(region));
        try
        {
            var server = await _arm.SendAsync(RequestMethod.Get, id, ApiVersion, null, cancellationToken);
            if (!server.IsSuccess) return new DatabaseStatus(region, false, false, null, null, server.ToFailure($"reading {id}").Detail);
            var (role, state) = RoleOf(server.Body);
            var primary = !IsReplicaRole(role);
            if (_connections.ConnectionStringOf(region) is null)
                return new DatabaseStatus(region, true, primary, null, null, $"{NameOf(id)}: role {role}, state {state} (no connection string: lag unknown).");
            var sql = await _sql.GetStatusAsync(region, cancellationToken);
            return sql with { IsPrimary = primary, Detail = $"{NameOf(id)}: role {role}, state {state}. {sql.Detail}" };
        }
        catch (Exception e) when (ArmFailures.IsArmFailure(e))
        {
            return new DatabaseStatus(region, false, false, null, null, ArmFailures.From($"reading {id}", e).Detail);
        }
    }

    public async Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken)
    {
        var id = ResourceIdOf(region);
        if (id is null) return InfraActionResult.Failed(MissingId(region));
        var what = $"promoting {NameOf(id)}";
        try
        {
            var before = await _arm.SendAsync(RequestMethod.Get, id, ApiVersion, null, cancellationToken);
            if (!before.IsSuccess) return before.ToFailure(what);
            var (roleBefore, _) = RoleOf(before.Body);
            if (!IsReplicaRole(roleBefore))
                return InfraActionResult.NoOp($"{NameOf(id)} is not a replica (role {roleBefore}); nothing promoted.");

            var patch = new JsonObject
            {
                ["properties"] = new JsonObject
                {
                    ["replica"] = new JsonObject { ["promoteMode"] = "standalone", ["promoteOption"] = _azure.PostgresPromoteOption },
                },
            };
            var operation = await _arm.SendAndWaitAsync(RequestMethod.Patch, id, ApiVersion, patch, cancellationToken);
            if (!operation.IsSuccess) return operation.ToFailure(what);

            var after = await _arm.SendAsync(RequestMethod.Get, id, ApiVersion, null, cancellationToken);
            if (!after.IsSuccess) return after.ToFailure($"verifying {NameOf(id)}");
            var (roleAfter, stateAfter) = RoleOf(after.Body);
            if (IsReplicaRole(roleAfter))
                return InfraActionResult.Failed($"{what}: the operation ended but the server is still role {roleAfter} (state {stateAfter}).", transient: true);
            if (_connections.ConnectionStringOf(region) is null)
                return InfraActionResult.Done($"{NameOf(id)} promoted ({_azure.PostgresPromoteOption}): role {roleAfter}, state {stateAfter}; no connection string, write check skipped.");

            var write = await _sql.WriteMarkerAsync(region, $"promotion-{Guid.NewGuid():N}", cancellationToken);
            return write.Succeeded
                ? InfraActionResult.Done($"{NameOf(id)} promoted ({_azure.PostgresPromoteOption}): role {roleAfter}; accepts writes ({write.Detail})")
                : InfraActionResult.Failed($"{NameOf(id)} promoted (role {roleAfter}) but does not accept writes yet: {write.Detail}", transient: true);
        }
        catch (Exception e) when (ArmFailures.IsArmFailure(e))
        {
            return ArmFailures.From(what, e);
        }
    }

    public Task<InfraActionResult> WriteMarkerAsync(string region, string marker, CancellationToken cancellationToken) =>
        _sql.WriteMarkerAsync(region, marker, cancellationToken);

    public Task<ConsistencyReport> CheckConsistencyAsync(string newPrimaryRegion, string marker, CancellationToken cancellationToken) =>
        _sql.CheckConsistencyAsync(newPrimaryRegion, marker, cancellationToken);

    /// <summary><c>properties.replica.role</c> (newer api-versions) or <c>properties.replicationRole</c>.</summary>
    private static (string Role, string State) RoleOf(JsonNode? server)
    {
        var props = server?["properties"];
        var role = props?["replica"]?["role"]?.GetValue<string>() ?? props?["replicationRole"]?.GetValue<string>() ?? "None";
        return (role, props?["state"]?.GetValue<string>() ?? "unknown");
    }

    private static bool IsReplicaRole(string role) =>
        role.Contains("Replica", StringComparison.OrdinalIgnoreCase);

    private string? ResourceIdOf(string region) =>
        _regions.CurrentValue.Regions.TryGetValue(region, out var r) && !string.IsNullOrWhiteSpace(r.Database.AzureResourceId) ? r.Database.AzureResourceId : null;

    private static string MissingId(string region) =>
        $"No Azure database configured for region '{region}': set DrBot:Regions:{region}:Database:AzureResourceId.";

    private static string NameOf(string id) => id.TrimEnd('/').Split('/')[^1];
}
