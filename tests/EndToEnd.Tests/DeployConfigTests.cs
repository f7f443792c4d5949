using Pipeline.Testing;
using YamlDotNet.RepresentationModel;

namespace EndToEnd.Tests;

/// <summary>
/// The deployment files as written: the compose health checks and the Prometheus scrape
/// configuration. No Prometheus image can be had here, so its configuration is only parsed.
/// </summary>
public sealed class DeployConfigTests
{
    private static readonly (string Service, string Assembly)[] Services =
    [
        ("get_tweets", "get_tweets.dll"),
        ("postgres-writer", "postgres-writer.dll"),
        ("mongo-writer", "mongo-writer.dll"),
    ];

    [Fact]
    public void PrometheusConfig_ScrapesEveryService()
    {
        var config = Load("deploy/prometheus/prometheus.yml");
        var jobs = ((YamlSequenceNode)config["scrape_configs"]).Cast<YamlMappingNode>().ToList();

        foreach (var (service, _) in Services)
        {
            var job = jobs.SingleOrDefault(j => Scalar(j, "job_name") == service);
            Assert.NotNull(job);
            Assert.Equal("/metrics", Scalar(job, "metrics_path"));
            var targets = ((YamlSequenceNode)job["static_configs"])
                .Cast<YamlMappingNode>()
                .SelectMany(c => ((YamlSequenceNode)c["targets"]).Select(t => ((YamlScalarNode)t).Value))
                .ToList();
            Assert.Equal([$"{service}:8080"], targets);
        }
    }

    [Fact]
    public void PrometheusConfig_ScrapeTimeout_FitsInterval()
    {
        var global = (YamlMappingNode)Load("deploy/prometheus/prometheus.yml")["global"];

        Assert.Equal("15s", Scalar(global, "scrape_interval"));
        Assert.Equal("5s", Scalar(global, "scrape_timeout"));
    }

    [Fact]
    public void Compose_Services_RunOwnHealthCommand()
    {
        var services = (YamlMappingNode)Load("docker-compose.yml")["services"];

        foreach (var (service, assembly) in Services)
        {
            var healthcheck = (YamlMappingNode)((YamlMappingNode)services[service])["healthcheck"];
            var test = ((YamlSequenceNode)healthcheck["test"]).Select(n => ((YamlScalarNode)n).Value).ToList();
            Assert.Equal(["CMD", "dotnet", assembly, "health"], test);
        }
    }

    [Fact]
    public void Compose_MonitoringProfile_PinsPrometheusImage()
    {
        var prometheus = (YamlMappingNode)((YamlMappingNode)Load("docker-compose.yml")["services"])["prometheus"];

        var image = Scalar(prometheus, "image");
        Assert.Matches(@"^prom/prometheus:v\d+\.\d+\.\d+$", image);
        Assert.Equal(["monitoring"], ((YamlSequenceNode)prometheus["profiles"]).Select(n => ((YamlScalarNode)n).Value));
        Assert.Contains(
            "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            ((YamlSequenceNode)prometheus["volumes"]).Select(n => ((YamlScalarNode)n).Value));
    }

    [Fact]
    public void Dockerfiles_RuntimeStage_UsesAspNetChiseled()
    {
        foreach (var folder in new[] { "get_tweets", "postgres-writer", "mongo-writer" })
        {
            var lines = File.ReadAllLines(Path.Combine(TestData.RepositoryRoot, "services", folder, "Dockerfile"));
            var runtimeStage = lines.Last(line => line.StartsWith("FROM ", StringComparison.Ordinal));
            Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", runtimeStage);
        }
    }

    private static YamlMappingNode Load(string relativePath)
    {
        using var reader = new StreamReader(Path.Combine(TestData.RepositoryRoot, relativePath));
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}
