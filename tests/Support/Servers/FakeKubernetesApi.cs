using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace DrBot.Tests.Support;

/// <summary>
/// The part of the Kubernetes API the cluster manager uses (version, deployments: list, read,
/// strategic-merge patch, scale subresource merge patch; resource quotas: list), in memory. Deployments roll out one step
/// per list call (the controller observes the spec, then the pods become ready), except the stuck
/// ones. Faults can be queued (429/503) and namespaces forbidden (403).
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JsonObject> _deployments = new();
    private readonly object _gate = new();

    public FakeKubernetesApi() => Server = new RecordingHttpServer(Handle);

    public RecordingHttpServer Server { get; }
    public ConcurrentQueue<int> NextFailures { get; } = new();

    /// <summary>The Retry-After header of the failures in <see cref="NextFailures"/> (seconds; none when null).</summary>
    public string? RetryAfter { get; set; } = "0";
    public HashSet<string> ForbiddenNamespaces { get; } = [];
    public HashSet<string> StuckDeployments { get; } = [];
    /// <summary>ResourceQuotas by namespace: hard and used <c>pods</c> (listed at <c>/api/v1/namespaces/{ns}/resourcequotas</c>).</summary>
    public ConcurrentDictionary<string, (int Hard, int Used)> PodQuotas { get; } = new();

    public string KubeConfigYaml(string context = "drbot-test") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: {Server.BaseUri.ToString().TrimEnd('/')}
        users:
        - name: drbot
          user:
            token: test-token
        contexts:
        - name: {context}
          context:
            cluster: test
            user: drbot
        current-context: {context}
        """;

    public void AddDeployment(string ns, string name, int replicas, params (string Container, string? EnvName, string? EnvValue)[] containers)
    {
        var list = new JsonArray();
        foreach (var (c, envName, envValue) in containers.Length == 0 ? [("app", null, null)] : containers)
        {
            var container = new JsonObject { ["name"] = c, ["image"] = $"example/{c}:1" };
            if (envName is not null) container["env"] = new JsonArray(new JsonObject { ["name"] = envName, ["value"] = envValue });
            list.Add(container);
        }
        _deployments[$"{ns}/{name}"] = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["generation"] = 1L },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                    ["spec"] = new JsonObject { ["containers"] = list },
                },
            },
            ["status"] = new JsonObject { ["observedGeneration"] = 1L, ["replicas"] = replicas, ["updatedReplicas"] = replicas, ["readyReplicas"] = replicas, ["availableReplicas"] = replicas },
        };
    }

    public JsonObject Deployment(string ns, string name) => _deployments[$"{ns}/{name}"];

    private CannedResponse Handle(RecordedRequest r)
    {
        lock (_gate)
        {
            if (NextFailures.TryDequeue(out var code))
                return new CannedResponse(code, Status(code, code == 429 ? "TooManyRequests" : "ServiceUnavailable", "try again"),
                    RetryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = RetryAfter });
            if (r.Path.TrimEnd('/') == "/version") return new CannedResponse(200, """{"major":"1","minor":"30","gitVersion":"v1.30.2"}""");

            var seg = r.Path.Trim('/').Split('/');
            if (seg is ["api", "v1", "namespaces", var quotaNs, "resourcequotas"] && r.Method == "GET")
                return new CannedResponse(200, Quotas(quotaNs));
            if (seg.Length < 6 || seg[0] != "apis" || seg[1] != "apps" || seg[3] != "namespaces" || seg[5] != "deployments")
                return new CannedResponse(404, Status(404, "NotFound", $"the server could not find the requested resource ({r.Path})"));
            var ns = seg[4];
            if (ForbiddenNamespaces.Contains(ns))
                return new CannedResponse(403, Status(403, "Forbidden", $"deployments.apps is forbidden: User \"drbot\" cannot {r.Method.ToLowerInvariant()} resource \"deployments\" in namespace \"{ns}\""));
            if (seg.Length == 6 && r.Method == "GET") return new CannedResponse(200, List(ns));
            if (seg.Length < 7 || !_deployments.TryGetValue($"{ns}/{seg[6]}", out var d))
                return new CannedResponse(404, Status(404, "NotFound", $"deployments.apps \"{(seg.Length > 6 ? seg[6] : "")}\" not found"));

            if (seg.Length == 7 && r.Method == "GET") return new CannedResponse(200, d.ToJsonString());
            if (seg.Length == 8 && seg[7] == "scale" && r.Method == "PATCH")
            {
                var replicas = JsonNode.Parse(r.Body)!["spec"]!["replicas"]!.GetValue<int>();
                d["spec"]!["replicas"] = replicas;
                Bump(d);
                return new CannedResponse(200, new JsonObject
                {
                    ["apiVersion"] = "autoscaling/v1",
                    ["kind"] = "Scale",
                    ["metadata"] = new JsonObject { ["name"] = seg[6], ["namespace"] = ns },
                    ["spec"] = new JsonObject { ["replicas"] = replicas },
                }.ToJsonString());
            }
            if (seg.Length == 7 && r.Method == "PATCH" && r.Headers["Content-Type"].StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
            {
                ApplyEnvPatch(d, JsonNode.Parse(r.Body)!);
                Bump(d);
                return new CannedResponse(200, d.ToJsonString());
            }
            return new CannedResponse(405, Status(405, "MethodNotAllowed", $"{r.Method} {r.Path} with {r.Headers.GetValueOrDefault("Content-Type")}"));
        }
    }

    private string List(string ns)
    {
        var items = new JsonArray();
        foreach (var (key, d) in _deployments.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(ns + "/", StringComparison.Ordinal)) continue;
            if (!StuckDeployments.Contains(d["metadata"]!["name"]!.GetValue<string>())) Progress(d);
            items.Add(d.DeepClone());
        }
        return new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "DeploymentList", ["metadata"] = new JsonObject(), ["items"] = items }.ToJsonString();
    }

    private string Quotas(string ns)
    {
        var items = new JsonArray();
        if (PodQuotas.TryGetValue(ns, out var q))
            items.Add(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = "standby-pods", ["namespace"] = ns },
                ["spec"] = new JsonObject { ["hard"] = new JsonObject { ["pods"] = q.Hard.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                ["status"] = new JsonObject
                {
                    ["hard"] = new JsonObject { ["pods"] = q.Hard.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    ["used"] = new JsonObject { ["pods"] = q.Used.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            });
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ResourceQuotaList", ["metadata"] = new JsonObject(), ["items"] = items }.ToJsonString();
    }

    /// <summary>One controller step: first observe the new generation, then bring every replica up.</summary>
    private static void Progress(JsonObject d)
    {
        var status = d["status"]!.AsObject();
        var generation = d["metadata"]!["generation"]!.GetValue<long>();
        if (status["observedGeneration"]!.GetValue<long>() < generation) { status["observedGeneration"] = generation; return; }
        var want = d["spec"]!["replicas"]!.GetValue<int>();
        foreach (var f in new[] { "replicas", "updatedReplicas", "readyReplicas", "availableReplicas" }) status[f] = want;
    }

    private static void Bump(JsonObject d)
    {
        var meta = d["metadata"]!.AsObject();
        meta["generation"] = meta["generation"]!.GetValue<long>() + 1;
        d["status"]!["readyReplicas"] = 0;
        d["status"]!["updatedReplicas"] = 0;
    }

    /// <summary>Strategic merge of <c>spec.template.spec.containers[].env[]</c>: containers by name, env by name, null deletes.</summary>
    private static void ApplyEnvPatch(JsonObject d, JsonNode patch)
    {
        var containers = d["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        foreach (var pc in patch["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
        {
            var target = containers.First(c => c!["name"]!.GetValue<string>() == pc!["name"]!.GetValue<string>())!.AsObject();
            var env = target["env"]?.AsArray() ?? (JsonArray)(target["env"] = new JsonArray());
            foreach (var pe in pc!["env"]!.AsArray())
            {
                var existing = env.FirstOrDefault(e => e!["name"]!.GetValue<string>() == pe!["name"]!.GetValue<string>())?.AsObject();
                if (existing is null) { env.Add(pe!.DeepClone()); continue; }
                foreach (var (k, v) in pe!.AsObject())
                {
                    if (v is null) existing.Remove(k);
                    else existing[k] = v.DeepClone();
                }
            }
        }
    }

    private static string Status(int code, string reason, string message) =>
        new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code }.ToJsonString();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
