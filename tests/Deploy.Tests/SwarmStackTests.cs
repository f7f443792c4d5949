using Pipeline.Testing;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>
/// Checks deploy/swarm/stack.yml as <c>docker stack config</c> resolves it, which needs the docker
/// CLI but no swarm. EndToEnd.Tests deploys the stack on a single-node swarm.
/// </summary>
public sealed class SwarmStackTests
{
    private static readonly string[] PipelineServices = ["get_tweets", "postgres-writer", "mongo-writer"];

    private static readonly Lazy<YamlMappingNode> Stack = new(Load);

    [Fact]
    public void Stack_EveryService_UsesDnsRoundRobin()
    {
        Assert.All(Services(), s => Assert.Equal("dnsrr", Text(s.Value, "deploy", "endpoint_mode")));
    }

    [Fact]
    public void Stack_EveryService_HasHealthCheck()
    {
        Assert.All(Services(), s => Assert.True(Node(s.Value, "healthcheck", "test") is not null, $"{s.Key} has no health check."));
    }

    [Fact]
    public void Stack_PipelineHealthChecks_ProbeOftenWhileStarting()
    {
        var services = Services().ToDictionary(s => s.Key, s => s.Value);

        // A task counts as running, and a rolling update moves on, only once its health check passes.
        Assert.All(PipelineServices, name => Assert.Equal("2s", Text(services[name], "healthcheck", "start_interval")));
    }

    [Fact]
    public void Stack_PipelineServices_HaveRestartAndUpdatePolicies()
    {
        var services = Services().ToDictionary(s => s.Key, s => s.Value);

        Assert.All(PipelineServices, name => Assert.Equal("on-failure", Text(services[name], "deploy", "restart_policy", "condition")));
        Assert.All(PipelineServices, name => Assert.Equal("rollback", Text(services[name], "deploy", "update_config", "failure_action")));
        Assert.All(PipelineServices, name => Assert.NotNull(Node(services[name], "deploy", "resources", "limits", "memory")));
    }

    [Fact]
    public void Stack_Replicas_WritersScaledCollectorStandby()
    {
        var services = Services().ToDictionary(s => s.Key, s => s.Value);

        Assert.Equal("2", Text(services["get_tweets"], "deploy", "replicas"));
        Assert.True(int.Parse(Text(services["postgres-writer"], "deploy", "replicas"), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.True(int.Parse(Text(services["mongo-writer"], "deploy", "replicas"), System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    [Fact]
    public void Stack_SecretReferences_AreDeclared()
    {
        var declared = ((YamlMappingNode)Stack.Value.Children["secrets"]).Children.Keys.Select(k => k.ToString()).ToHashSet();
        var referenced = Services()
            .SelectMany(s => Node(s.Value, "secrets") is YamlSequenceNode list ? list.Children : [])
            .Select(item => item is YamlMappingNode mapping ? mapping.Children["source"].ToString() : item.ToString())
            .ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.Contains(name, declared));
    }

    [Fact]
    public void Stack_PostgresConnection_ReadsPasswordFile()
    {
        var services = Services().ToDictionary(s => s.Key, s => s.Value);

        Assert.All(PipelineServices, name =>
        {
            var connection = Text(services[name], "environment", "ConnectionStrings__Postgres");
            Assert.Contains("Passfile=/run/secrets/postgres_pgpass", connection, StringComparison.Ordinal);
            Assert.DoesNotContain("Password=", connection, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public void Stack_Collector_ReadsBearerTokenFile()
    {
        var collector = Services().Single(s => s.Key == "get_tweets").Value;

        Assert.Equal("/run/secrets/x_bearer_token", Text(collector, "environment", "X__BearerTokenFile"));
    }

    private static IEnumerable<KeyValuePair<string, YamlMappingNode>> Services() =>
        ((YamlMappingNode)Stack.Value.Children["services"]).Children
            .Select(pair => KeyValuePair.Create(pair.Key.ToString(), (YamlMappingNode)pair.Value));

    private static YamlNode? Node(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(key, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private static string Text(YamlMappingNode node, params string[] path) => Node(node, path)?.ToString() ?? "";

    private static YamlMappingNode Load()
    {
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        var stackFile = Path.Combine(TestData.RepositoryRoot, "deploy", "swarm", "stack.yml");
        var (exitCode, output) = DockerEngine.Run(
            "docker",
            $"stack config -c \"{stackFile}\"",
            timeout: TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string> { ["MONGO_PASSWORD"] = "test-password" });
        Assert.True(exitCode == 0, $"docker stack config failed with exit code {exitCode}:\n{output}");

        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }
}
