using System.Net;
using System.Net.Sockets;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The repository's docker-compose.yml started under a project name of its own, with the images
/// built from the real Dockerfiles and the database ports bound to free loopback ports.
/// </summary>
internal sealed class ComposeStack : IAsyncDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, string> environment;

    public ComposeStack(bool withMongo)
    {
        ProjectName = $"pipeline-e2e-{Guid.NewGuid():N}"[..24];
        WithMongo = withMongo;
        PostgresPort = FreePort();
        MongoPort = FreePort();
        environment = new Dictionary<string, string>
        {
            ["POSTGRES_PORT"] = PostgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MONGO_PORT"] = MongoPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public string ProjectName { get; }

    public bool WithMongo { get; }

    public int PostgresPort { get; }

    public int MongoPort { get; }

    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={PostgresPort};Database=tweets;Username=pipeline;Password=pipeline;Timeout=5";

    public string MongoConnectionString => $"mongodb://pipeline:pipeline@127.0.0.1:{MongoPort}/?authSource=admin";

    /// <summary>The services to start: everything, or everything but MongoDB and its writer.</summary>
    public IReadOnlyList<string> Services => WithMongo
        ? ["postgres", "mongo", "get_tweets", "postgres-writer", "mongo-writer"]
        : ["postgres", "get_tweets", "postgres-writer"];

    public (int ExitCode, string Output) Compose(string arguments, TimeSpan? timeout = null) =>
        DockerEngine.Run("docker", $"compose -p {ProjectName} {arguments}", TestData.RepositoryRoot, timeout ?? CommandTimeout, environment);

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

    public ValueTask DisposeAsync()
    {
        Compose("down -v --remove-orphans");
        return ValueTask.CompletedTask;
    }

    private static string Tail(string output) => output.Length <= 12_000 ? output : output[^12_000..];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
