using DrBot.Bot.Tests.Support;
using k8s;
using k8s.Models;

namespace DrBot.Bot.Tests.Deploy;

/// <summary>
/// deploy/kubernetes loaded with KubernetesClient's YAML loader in strict mode (an unknown or
/// misspelt field fails) into typed objects, and the essentials checked: two replicas that cannot
/// share a node or a zone's worth of failure, outside the primary region, non-root with a read-only
/// root filesystem, probes on /healthz, the PostgreSQL store, secrets only by reference, and the
/// Service, PodDisruptionBudget and Ingress pointing at the pods.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Dir = Path.Combine(RepoPaths.Root, "deploy", "kubernetes");
    private static readonly Lazy<List<object>> Objects = new(LoadAll);

    private static List<object> LoadAll()
    {
        var objects = new List<object>();
        foreach (var file in Directory.GetFiles(Dir, "*.yaml").Order(StringComparer.Ordinal))
            objects.AddRange(KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true));
        return objects;
    }

    private static T Single<T>() => Assert.Single(Objects.Value.OfType<T>());

    private static V1Container BotContainer => Assert.Single(Single<V1Deployment>().Spec.Template.Spec.Containers);

    [Fact]
    public void Every_manifest_loads_into_a_typed_object_in_the_drbot_namespace()
    {
        Assert.Equal(7, Objects.Value.Count);
        foreach (var o in Objects.Value)
        {
            var metadata = Assert.IsAssignableFrom<IMetadata<V1ObjectMeta>>(o).Metadata;
            if (o is not V1Namespace)
                Assert.Equal("drbot", metadata.NamespaceProperty);
        }
        Assert.Equal("drbot", Single<V1Namespace>().Metadata.Name);
    }

    [Fact]
    public void Two_replicas_spread_across_nodes_and_zones_outside_the_primary_region()
    {
        var deployment = Single<V1Deployment>();
        Assert.True(deployment.Spec.Replicas >= 2);
        var pod = deployment.Spec.Template.Spec;
        var anti = Assert.Single(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", anti.TopologyKey);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, anti.LabelSelector.MatchLabels);
        var spread = Assert.Single(pod.TopologySpreadConstraints);
        Assert.Equal("topology.kubernetes.io/zone", spread.TopologyKey);
        Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable);
        var region = Assert.Single(Assert.Single(pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms).MatchExpressions);
        Assert.Equal(("topology.kubernetes.io/region", "NotIn"), (region.Key, region.OperatorProperty));
        Assert.Contains("eastus", region.Values);
        // A rollout never drops below the replica count.
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
    }

    [Fact]
    public void The_pod_runs_as_non_root_with_a_read_only_root_filesystem()
    {
        var pod = Single<V1Deployment>().Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.False(pod.AutomountServiceAccountToken);
        var container = BotContainer.SecurityContext;
        Assert.True(container.ReadOnlyRootFilesystem);
        Assert.False(container.AllowPrivilegeEscalation);
        Assert.Contains("ALL", container.Capabilities.Drop);
        // The bot writes only to the mounted emptyDirs.
        Assert.Equal(["/app/data", "/tmp"], BotContainer.VolumeMounts.Select(m => m.MountPath).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Probes_ask_healthz_on_the_port_the_bot_listens_on()
    {
        var container = BotContainer;
        var port = Assert.Single(container.Ports);
        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe })
        {
            Assert.Equal("/healthz", probe.HttpGet.Path);
            Assert.Equal(port.Name, probe.HttpGet.Port.Value);
        }
        // The image listens there (deploy/Dockerfile sets Urls).
        Assert.Contains($"Urls=http://+:{port.ContainerPort}", File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_store_is_postgres_and_every_secret_is_a_reference()
    {
        var config = Single<V1ConfigMap>().Data;
        Assert.Equal("Postgres", config["DrBot__Store__Provider"]);
        Assert.Equal("false", config["DrBot__Local__Enabled"]);
        Assert.Empty(Objects.Value.OfType<V1Secret>());
        string[] secretWords = ["Secret", "Token", "Password", "ConnectionString", "Key"];
        foreach (var key in config.Keys)
            Assert.DoesNotContain(secretWords, w => key.EndsWith(w, StringComparison.OrdinalIgnoreCase));
        var secrets = BotContainer.Env.Where(e => secretWords.Any(w => e.Name.EndsWith(w, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.Contains(secrets, e => e.Name == "DrBot__Store__Postgres__ConnectionString");
        foreach (var env in secrets)
        {
            Assert.Null(env.Value);
            Assert.Equal("drbot-secrets", env.ValueFrom.SecretKeyRef.Name);
        }
    }

    [Fact]
    public void Service_budget_and_ingress_point_at_the_pods()
    {
        var deployment = Single<V1Deployment>();
        var labels = deployment.Spec.Template.Metadata.Labels;
        var service = Single<V1Service>();
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        var servicePort = Assert.Single(service.Spec.Ports);
        Assert.Equal(Assert.Single(BotContainer.Ports).Name, servicePort.TargetPort.Value);

        var budget = Single<V1PodDisruptionBudget>();
        Assert.All(budget.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        Assert.True(int.Parse(budget.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture) is >= 1 and var min && min < deployment.Spec.Replicas);

        var paths = Assert.Single(Single<V1Ingress>().Spec.Rules).Http.Paths;
        Assert.Contains(paths, p => p.Path == "/api/messages" && p.PathType == "Exact");
        Assert.Contains(paths, p => p.Path == "/api/slack" && p.PathType == "Prefix");
        Assert.Contains(paths, p => p.Path == "/status" && p.PathType == "Prefix");
        Assert.All(paths, p => Assert.Equal((service.Metadata.Name, servicePort.Name), (p.Backend.Service.Name, p.Backend.Service.Port.Name)));
        // Only what the platforms call is public: not the alert webhooks, the local chat or /metrics.
        Assert.DoesNotContain(paths, p => p.Path.StartsWith("/api/alerts", StringComparison.Ordinal) || p.Path.StartsWith("/api/local", StringComparison.Ordinal) || p.Path == "/" || p.Path == "/metrics");
    }

    [Fact]
    public void A_misspelt_field_is_refused_by_the_strict_loader() =>
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(
            File.ReadAllText(Path.Combine(Dir, "pdb.yaml")).Replace("minAvailable", "minAvailible", StringComparison.Ordinal), strict: true));

    [Fact]
    public void The_dockerfile_builds_in_stages_and_runs_non_root_with_a_health_check()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "deploy", "Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        var stages = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(stages.Count >= 2, "multi-stage");
        var final = lines.Skip(stages[^1].i).ToList();
        Assert.Contains(final, l => l.Contains("aspnet:10.0", StringComparison.Ordinal));
        var user = Assert.Single(final, l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER {user} must be a numeric non-root uid (Kubernetes runAsNonRoot checks it)");
        Assert.Equal(Single<V1Deployment>().Spec.Template.Spec.SecurityContext.RunAsUser, uid);
        Assert.Contains(final, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains(final, l => l.Contains("/healthz", StringComparison.Ordinal));
        Assert.Contains(final, l => l.StartsWith("COPY --from=build", StringComparison.Ordinal) && l.Contains("appsettings.json", StringComparison.Ordinal));
    }
}
