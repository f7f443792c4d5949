using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Pipeline.Testing;

/// <summary>
/// The repository's docker-compose.yml started under a project name of its own, with the images
/// built from the real Dockerfiles and the database ports bound to free loopback ports.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A compose stack is the set of services of a compose file, not a stack collection.")]
public sealed class ComposeStack : IAsyncDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, string> environment;

    /// <summary>
    /// Prepares a stack named <paramref name="projectPrefix"/> and a random suffix. The variables of
    /// <paramref name="settings"/> are set for every compose command, as a <c>.env</c> file would set them.
    /// </summary>
    public ComposeStack(bool withMongo, string projectPrefix = "pipeline-e2e", IReadOnlyDictionary<string, string>? settings = null)
    {
        ProjectName = $"{projectPrefix}-{Guid.NewGuid():N}"[..(projectPrefix.Length + 9)];
        WithMongo = withMongo;
        PostgresPort = FreePort();
        MongoPort = FreePort();
        environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["POSTGRES_PORT"] = PostgresPort.ToString(CultureInfo.InvariantCulture),
            ["MONGO_PORT"] = MongoPort.ToString(CultureInfo.InvariantCulture),
        };
    }

    public string ProjectName { get; }

    public bool WithMongo { get; }

    public int PostgresPort { get; }

    public int MongoPort { get; }

    /// <summary>The network compose creates for the project, which every service joins.</summary>
    public string Network => ProjectName + "_default";

    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={PostgresPort};Database=tweets;Username=pipeline;Password=pipeline;Timeout=5";

    public string MongoConnectionString => $"mongodb://pipeline:pipeline@127.0.0.1:{MongoPort}/?authSource=admin";

    /// <summary>The services to start: everything, or everything but MongoDB and its writer.</summary>
    public IReadOnlyList<string> Services => WithMongo
        ? ["postgres", "mongo", "get_tweets", "postgres-writer", "mongo-writer"]
        : ["postgres", "get_tweets", "postgres-writer"];

    public (int ExitCode, string Output) Compose(string arguments, TimeSpan? timeout = null) =>
        DockerEngine.Run("docker", $"compose -p {ProjectName} {arguments}", TestData.RepositoryRoot, timeout ?? CommandTimeout, environment);

    /// <summary>Runs a compose command and fails the test with its output and the services' logs when it fails.</summary>
    public string ComposeOrFail(string arguments, TimeSpan? timeout = null)
    {
        var (exitCode, output) = Compose(arguments, timeout);
        Assert.True(exitCode == 0, $"docker compose {arguments} failed ({exitCode}):\n{Tail(output)}\n{Logs()}");
        return output;
    }

    public void Build()
    {
        var images = Services.Where(s => s is not ("postgres" or "mongo"));
        var (exitCode, output) = Compose($"build {string.Join(' ', images)}", BuildTimeout);
        Assert.True(exitCode == 0, $"docker compose build failed ({exitCode}):\n{Tail(output)}");
    }

    public void Up()
    {
        var (exitCode, output) = Compose($"up -d {string.Join(' ', Services)}");
        Assert.True(exitCode == 0, $"docker compose up failed ({exitCode}):\n{Tail(output)}\n{Logs()}");
    }

    public string Logs() => Tail(Compose("logs --no-color --tail 60").Output);

    /// <summary>Returns the id of the container of <paramref name="service"/>, running or not.</summary>
    public string ContainerId(string service)
    {
        var id = Compose($"ps -a -q {service}").Output.Trim();
        Assert.True(id.Length > 0, $"compose project {ProjectName} has no container of {service}");
        Assert.False(id.Contains('\n', StringComparison.Ordinal), $"compose project {ProjectName} has more than one container of {service}: '{id}'");
        return id;
    }

    /// <summary>Returns the Docker state of the container of <paramref name="service"/>.</summary>
    public ServiceState Inspect(string service) => InspectContainer(ContainerId(service));

    /// <summary>Returns the Docker state of a container, found by its id without asking compose.</summary>
    public static ServiceState InspectContainer(string id)
    {
        var format = "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}";
        var (exitCode, output) = DockerEngine.Run("docker", $"inspect -f \"{format}\" {id}");
        Assert.True(exitCode == 0, $"docker inspect of container {id} failed: {output}");
        var fields = output.Trim().Split(' ');
        return new ServiceState(int.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], int.Parse(fields[2], CultureInfo.InvariantCulture), fields[3]);
    }

    public ValueTask DisposeAsync()
    {
        Compose("down -v --remove-orphans");
        return ValueTask.CompletedTask;
    }

    // Control characters other than line breaks are replaced, because the VSTest adapter drops a
    // failed result whose message contains an escape character or a NUL, and service logs may hold both.
    private static string Tail(string output)
    {
        var tail = output.Length <= 12_000 ? output : output[^12_000..];
        return string.Concat(tail.Select(c => (char.IsControl(c) && c is not ('\n' or '\t')) || char.IsSurrogate(c) ? '?' : c));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The Docker state of one service's container.</summary>
/// <param name="RestartCount">How often Docker restarted the container under its restart policy.</param>
/// <param name="Status">created, running, restarting, exited, ...</param>
/// <param name="ExitCode">The exit code of the last run.</param>
/// <param name="Health">starting, healthy or unhealthy; none when the container has no health check.</param>
public sealed record ServiceState(int RestartCount, string Status, int ExitCode, string Health);
