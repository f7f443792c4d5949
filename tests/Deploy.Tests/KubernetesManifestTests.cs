using k8s;
using k8s.Models;

namespace Deploy.Tests;

/// <summary>
/// Checks the rendered dev overlay offline: every object against the Kubernetes API models, and
/// the references between objects that only a cluster would otherwise reveal.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] Services = ["get-tweets", "postgres-writer", "mongo-writer"];
    private static readonly string[] KedaKinds = ["ScaledObject", "TriggerAuthentication"];

    private static readonly Lazy<RenderedManifests> Dev = new(() =>
        RenderedManifests.Parse(Kubectl.Kustomize(Path.Combine(Kubectl.ManifestRoot, "overlays", "dev"))));

    [Fact]
    public void DevOverlay_EveryObject_MatchesApiSchema()
    {
        var manifests = Dev.Value;

        Assert.Empty(manifests.SchemaErrors);
        Assert.All(manifests.Objects, o => Assert.NotNull(o.Model));
    }

    [Fact]
    public void SchemaCheck_UnknownField_IsReported()
    {
        const string yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: typo
            spec:
              replica: 2
              selector:
                matchLabels: {app: typo}
              template:
                metadata:
                  labels: {app: typo}
                spec:
                  containers: [{name: typo, image: "example:1"}]
            """;

        var manifests = RenderedManifests.Parse(yaml);

        Assert.Single(manifests.SchemaErrors);
    }

    [Fact]
    public void DevOverlay_EveryObject_HasApiVersionKindName()
    {
        Assert.All(Dev.Value.Objects, o =>
        {
            Assert.NotEmpty(o.ApiVersion);
            Assert.NotEmpty(o.Kind);
            Assert.NotEmpty(o.Name);
        });
    }

    [Fact]
    public void DevOverlay_Services_RunTwoReplicas()
    {
        var deployments = Dev.Value.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);

        Assert.Equal(Services.Order(), deployments.Keys.Order());
        Assert.All(Services, name => Assert.Equal(2, deployments[name].Spec.Replicas));
    }

    [Fact]
    public void DevOverlay_Workloads_HaveProbes()
    {
        var containers = Dev.Value.PodTemplates.SelectMany(t => t.Spec.Containers).ToList();

        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.NotNull(c.ReadinessProbe));
        Assert.All(containers, c => Assert.NotNull(c.LivenessProbe));
    }

    [Fact]
    public void DevOverlay_Workloads_HaveRequestsAndLimits()
    {
        var containers = Dev.Value.PodTemplates.SelectMany(t => t.Spec.Containers).ToList();

        Assert.All(containers, c => Assert.Equal(["cpu", "memory"], c.Resources.Requests.Keys.Order()));
        Assert.All(containers, c => Assert.Equal(["cpu", "memory"], c.Resources.Limits.Keys.Order()));
    }

    [Fact]
    public void DevOverlay_Selectors_MatchTemplateLabels()
    {
        var manifests = Dev.Value;
        var workloads = manifests.OfType<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Selector, d.Spec.Template))
            .Concat(manifests.OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Selector, s.Spec.Template)));

        Assert.All(workloads, w => Assert.True(
            Matches(w.Selector.MatchLabels, w.Template.Metadata.Labels),
            $"The selector of {w.Name} does not match its pod template's labels."));
    }

    [Fact]
    public void DevOverlay_ConfigMapAndSecretReferences_Exist()
    {
        var manifests = Dev.Value;
        var missing = new List<string>();
        foreach (var template in manifests.PodTemplates)
        {
            var pod = template.Spec;
            var envFrom = pod.Containers.SelectMany(c => c.EnvFrom ?? []).ToList();
            var env = pod.Containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom).OfType<V1EnvVarSource>().ToList();
            missing.AddRange(envFrom.Select(e => e.ConfigMapRef?.Name).OfType<string>().Where(n => !manifests.Has("ConfigMap", n)));
            missing.AddRange(envFrom.Select(e => e.SecretRef?.Name).OfType<string>().Where(n => !manifests.Has("Secret", n)));
            missing.AddRange(env.Select(e => e.SecretKeyRef?.Name).OfType<string>().Where(n => !manifests.Has("Secret", n)));
            missing.AddRange(env.Select(e => e.ConfigMapKeyRef?.Name).OfType<string>().Where(n => !manifests.Has("ConfigMap", n)));
            missing.AddRange((pod.Volumes ?? []).Select(v => v.Secret?.SecretName).OfType<string>().Where(n => !manifests.Has("Secret", n)));
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void DevOverlay_SecretKeyReferences_Exist()
    {
        var manifests = Dev.Value;
        var secrets = manifests.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        var references = manifests.PodTemplates
            .SelectMany(t => t.Spec.Containers.SelectMany(c => c.Env ?? []))
            .Select(e => e.ValueFrom?.SecretKeyRef)
            .OfType<V1SecretKeySelector>();

        Assert.All(references, r => Assert.Contains(r.Key, secrets[r.Name].Data.Keys));
    }

    [Fact]
    public void DevOverlay_StatefulSets_HaveServiceAndVolume()
    {
        var manifests = Dev.Value;
        var statefulSets = manifests.OfType<V1StatefulSet>().ToList();

        Assert.Equal(["mongo", "postgres"], statefulSets.Select(s => s.Metadata.Name).Order());
        Assert.All(statefulSets, s => Assert.True(manifests.Has("Service", s.Spec.ServiceName), $"No Service {s.Spec.ServiceName}."));
        Assert.All(statefulSets, s => Assert.NotEmpty(s.Spec.VolumeClaimTemplates));
    }

    [Fact]
    public void DevOverlay_DisruptionBudgets_SelectServicePods()
    {
        var manifests = Dev.Value;
        var budgets = manifests.OfType<V1PodDisruptionBudget>().ToList();

        Assert.Equal(Services.Order(), budgets.Select(b => b.Metadata.Name).Order());
        Assert.All(budgets, b => Assert.Contains(manifests.PodTemplates, t => Matches(b.Spec.Selector.MatchLabels, t.Metadata.Labels)));
    }

    [Fact]
    public void DevOverlay_NetworkPolicies_AdmitOnlyServices()
    {
        var policies = Dev.Value.OfType<V1NetworkPolicy>().ToDictionary(p => p.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]);

        var postgresClients = policies["postgres"].Spec.Ingress.Single().FromProperty.Single().PodSelector.MatchExpressions.Single().Values;
        var mongoClients = policies["mongo"].Spec.Ingress.Single().FromProperty.Single().PodSelector.MatchLabels.Values;

        Assert.Equal(Services.Order(), postgresClients.Order());
        Assert.Equal(["mongo-writer"], mongoClients);
    }

    [Fact]
    public void DevOverlay_ServicePods_HaveScrapeAnnotations()
    {
        var templates = Dev.Value.OfType<V1Deployment>().Select(d => d.Spec.Template).ToList();

        Assert.All(templates, t => Assert.Equal("true", t.Metadata.Annotations["prometheus.io/scrape"]));
        Assert.All(templates, t => Assert.Equal("8080", t.Metadata.Annotations["prometheus.io/port"]));
    }

    [Fact]
    public void DevOverlay_Images_HavePinnedTags()
    {
        var images = Dev.Value.PodTemplates.SelectMany(t => t.Spec.Containers).Select(c => c.Image).Order().ToList();

        Assert.Equal(
            ["mongo:8", "postgres:17", "tweet-pipeline/get_tweets:dev", "tweet-pipeline/mongo-writer:dev", "tweet-pipeline/postgres-writer:dev"],
            images);
    }

    [Fact]
    public void KedaComponent_ScaledObjects_TargetWriters()
    {
        var manifests = RenderWithKedaComponent();
        var scaledObjects = manifests.Objects.Where(o => o.Kind == "ScaledObject").ToList();

        Assert.Empty(manifests.SchemaErrors);
        Assert.Equal(["mongo-writer", "postgres-writer"], scaledObjects.Select(o => o.Name).Order());
        Assert.All(scaledObjects, o => Assert.True(manifests.Has("Deployment", o.Name)));
        Assert.All(scaledObjects, o => Assert.Contains("queue.subscription_stats where subscription = '" + o.Name + "'", o.Yaml, StringComparison.Ordinal));
        Assert.All(scaledObjects, o => Assert.Contains("name: queue-lag-postgres", o.Yaml, StringComparison.Ordinal));
    }

    [Fact]
    public void KedaComponent_TriggerAuthentication_NamesRenderedSecret()
    {
        var manifests = RenderWithKedaComponent();
        var authentication = Assert.Single(manifests.Objects, o => o.Kind == "TriggerAuthentication");
        var secret = manifests.OfType<V1Secret>().Single(s => s.Metadata.Name == "pipeline-secrets");

        Assert.Contains("name: pipeline-secrets", authentication.Yaml, StringComparison.Ordinal);
        Assert.Contains("postgres-password", secret.Data.Keys);
    }

    private static RenderedManifests RenderWithKedaComponent()
    {
        // kustomize accepts only relative paths to other kustomizations, so the combination lives
        // in a temporary folder inside the Kubernetes folder for the time of the render.
        var folder = Path.Combine(Kubectl.ManifestRoot, ".test-keda-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../overlays/dev
                components:
                  - ../components/keda-autoscaling
                """);
            return RenderedManifests.Parse(Kubectl.Kustomize(folder), KedaKinds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
