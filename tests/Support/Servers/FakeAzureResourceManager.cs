using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace DrBot.Tests.Support;

/// <summary>
/// The part of the Azure Resource Manager REST API the Azure adapters use, over TLS with a throwaway
/// certificate: flexible-server GET and PATCH (a 202 long-running operation polled through
/// Azure-AsyncOperation), Traffic Manager endpoint GET and PATCH, AKS listClusterUserCredential.
/// Faults can be queued; resources can be forbidden; unknown ids answer ARM's 404.
/// </summary>
public sealed class FakeAzureResourceManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JsonObject> _resources = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _kubeconfigs = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (string ServerId, int PollsLeft)> _operations = new();
    private readonly object _gate = new();
    private int _nextOperation;

    public FakeAzureResourceManager() => Server = new RecordingHttpServer(Handle, tls: true);

    public RecordingHttpServer Server { get; }
    public ConcurrentQueue<int> NextFailures { get; } = new();
    public HashSet<string> Forbidden { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static string PostgresId(string name) => $"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dr/providers/Microsoft.DBforPostgreSQL/flexibleServers/{name}";
    public static string EndpointId(string name) => $"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dr/providers/Microsoft.Network/trafficmanagerprofiles/policycortex/azureEndpoints/{name}";
    public static string AksId(string name) => $"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dr/providers/Microsoft.ContainerService/managedClusters/{name}";

    public void AddPostgres(string name, string role) =>
        _resources[PostgresId(name)] = new JsonObject
        {
            ["id"] = PostgresId(name),
            ["name"] = name,
            ["type"] = "Microsoft.DBforPostgreSQL/flexibleServers",
            ["location"] = "westus",
            ["properties"] = new JsonObject { ["state"] = "Ready", ["replicationRole"] = role, ["replica"] = new JsonObject { ["role"] = role } },
        };

    public void AddEndpoint(string name, bool enabled, int weight) =>
        _resources[EndpointId(name)] = new JsonObject
        {
            ["id"] = EndpointId(name),
            ["name"] = name,
            ["type"] = "Microsoft.Network/trafficManagerProfiles/azureEndpoints",
            ["properties"] = new JsonObject { ["endpointStatus"] = enabled ? "Enabled" : "Disabled", ["weight"] = weight, ["priority"] = 1, ["endpointMonitorStatus"] = "Online" },
        };

    public void AddAks(string name, string kubeconfigYaml) => _kubeconfigs[AksId(name)] = kubeconfigYaml;

    public JsonObject Resource(string id) => _resources[id];

    private CannedResponse Handle(RecordedRequest r)
    {
        lock (_gate)
        {
            if (NextFailures.TryDequeue(out var code))
                return Error(code, code == 429 ? "TooManyRequests" : "InternalServerError", "transient fault", new() { ["Retry-After"] = "0" });
            if (r.Method == "GET" && r.Path.EndsWith("/v2.0/.well-known/openid-configuration", StringComparison.Ordinal))
                return OpenIdConfiguration(r.Path.Split('/')[1]);
            if (r.Method == "POST" && r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
                return r.Body.Contains("client_secret=test-secret", StringComparison.Ordinal)
                    ? new CannedResponse(200, """{"token_type":"Bearer","expires_in":3600,"ext_expires_in":3600,"access_token":"test-arm-token"}""")
                    : new CannedResponse(401, """{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}""");
            if (r.Headers.GetValueOrDefault("Authorization") != "Bearer test-arm-token")
                return Error(401, "AuthenticationFailed", "missing bearer token");
            var path = r.Path.TrimEnd('/');
            if (Forbidden.Any(f => path.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
                return Error(403, "AuthorizationFailed", $"The client 'drbot' does not have authorization to perform action over scope '{path}'.");

            if (path.Contains("/azureAsyncOperation/", StringComparison.OrdinalIgnoreCase) && r.Method == "GET")
                return Poll(path.Split('/')[^1]);
            if (r.Method == "POST" && path.EndsWith("/listClusterUserCredential", StringComparison.Ordinal)
                && _kubeconfigs.TryGetValue(path[..^"/listClusterUserCredential".Length], out var kubeconfig))
            {
                var value = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig));
                return new CannedResponse(200, new JsonObject { ["kubeconfigs"] = new JsonArray(new JsonObject { ["name"] = "clusterUser", ["value"] = value }) }.ToJsonString());
            }
            if (!_resources.TryGetValue(path, out var resource))
                return Error(404, "ResourceNotFound", $"The Resource '{path.Split('/')[^1]}' under resource group 'rg-dr' was not found.");
            if (r.Method == "GET") return new CannedResponse(200, resource.ToJsonString());
            if (r.Method == "PATCH" && path.Contains("flexibleServers", StringComparison.OrdinalIgnoreCase))
            {
                var id = $"op-{Interlocked.Increment(ref _nextOperation)}";
                _operations[id] = (path, 2);
                resource["properties"]!["state"] = "Updating";
                var poll = new Uri(Server.BaseUri, $"/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.DBforPostgreSQL/locations/westus/azureAsyncOperation/{id}?api-version={r.QueryValue("api-version")}");
                return new CannedResponse(202, "", new Dictionary<string, string> { ["Azure-AsyncOperation"] = poll.ToString(), ["Retry-After"] = "0" });
            }
            if (r.Method == "PATCH")
            {
                var status = JsonNode.Parse(r.Body)?["properties"]?["endpointStatus"]?.GetValue<string>();
                if (status is not null) resource["properties"]!["endpointStatus"] = status;
                return new CannedResponse(200, resource.ToJsonString());
            }
            return Error(405, "MethodNotAllowed", $"{r.Method} {path}");
        }
    }

    /// <summary>The Microsoft Entra metadata a client-secret credential reads when pointed at this server as its authority host.</summary>
    private CannedResponse OpenIdConfiguration(string tenant)
    {
        var root = Server.BaseUri.ToString().TrimEnd('/');
        return new CannedResponse(200, new JsonObject
        {
            ["token_endpoint"] = $"{root}/{tenant}/oauth2/v2.0/token",
            ["authorization_endpoint"] = $"{root}/{tenant}/oauth2/v2.0/authorize",
            ["issuer"] = $"{root}/{tenant}/v2.0",
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post"),
            ["response_types_supported"] = new JsonArray("code", "token"),
        }.ToJsonString());
    }

    /// <summary>The server's certificate in PEM, for a child process to trust (SSL_CERT_FILE).</summary>
    public string CertificatePem() => Server.Certificate!.ExportCertificatePem();

    private CannedResponse Poll(string id)
    {
        if (!_operations.TryGetValue(id, out var op)) return Error(404, "OperationNotFound", id);
        if (op.PollsLeft > 0)
        {
            _operations[id] = (op.ServerId, op.PollsLeft - 1);
            return new CannedResponse(200, $$"""{"name":"{{id}}","status":"InProgress"}""", new Dictionary<string, string> { ["Retry-After"] = "0" });
        }
        var props = _resources[op.ServerId]["properties"]!;
        props["state"] = "Ready";
        props["replicationRole"] = "Primary";
        props["replica"]!["role"] = "Primary";
        return new CannedResponse(200, $$"""{"name":"{{id}}","status":"Succeeded"}""");
    }

    private static CannedResponse Error(int status, string code, string message, Dictionary<string, string>? headers = null) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString(), headers);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
