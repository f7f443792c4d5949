using System.Globalization;
using Npgsql;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The postgres-writer image built by compose from its Dockerfile, and a throwaway PostgreSQL 17
/// container on a user-defined network of its own, for running the image as compose would.
/// The database port is published on a loopback port, so the tests can enqueue and count rows.
/// </summary>
public sealed class WriterImage : IAsyncLifetime
{
    /// <summary>The tag compose gives the image (the <c>image:</c> key of the postgres-writer service).</summary>
    public const string Image = "tweet-pipeline/postgres-writer:dev";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly string suffix = Guid.NewGuid().ToString("N")[..10];
    private int databaseCount;

    /// <summary>Why the tests cannot run here, when Docker is missing; null when they can.</summary>
    public string? UnavailableReason { get; private set; }

    public string Network => $"pipeline-ops-{suffix}";

    public string PostgresName => $"pipeline-ops-pg-{suffix}";

    public int PostgresPort { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        UnavailableReason = DockerEngine.UnavailableReason();
        if (UnavailableReason is not null)
        {
            return;
        }

        await using (var stack = new ComposeStack(withMongo: false))
        {
            var (buildExit, buildOutput) = stack.Compose("build postgres-writer", BuildTimeout);
            Assert.True(buildExit == 0, $"docker compose build postgres-writer failed ({buildExit}):\n{Tail(buildOutput)}");
        }

        Docker($"network create {Network}");
        Docker($"run -d --name {PostgresName} --network {Network} -p 127.0.0.1::5432 -e POSTGRES_USER=pipeline -e POSTGRES_PASSWORD=pipeline -e POSTGRES_DB=tweets postgres:17");
        var published = Docker($"port {PostgresName} 5432/tcp").Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
        PostgresPort = int.Parse(published[(published.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        await WaitForPostgresAsync();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (UnavailableReason is null)
        {
            DockerEngine.Run("docker", $"rm -f {PostgresName}");
            DockerEngine.Run("docker", $"network rm {Network}");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Creates an empty database and returns its name; skips the test when Docker is missing.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        DockerEngine.SkipWhenUnavailable(UnavailableReason);
        var name = $"writer_{Interlocked.Increment(ref databaseCount)}";
        await using var connection = new NpgsqlConnection(HostConnectionString("tweets"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var create = new NpgsqlCommand($"create database {name}", connection);
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return name;
    }

    /// <summary>The connection string the test process uses, through the published loopback port.</summary>
    public string HostConnectionString(string database) =>
        $"Host=127.0.0.1;Port={PostgresPort};Database={database};Username=pipeline;Password=pipeline;Timeout=5";

    /// <summary>The connection string a container on <see cref="Network"/> uses.</summary>
    public string NetworkConnectionString(string database) =>
        $"Host={PostgresName};Port=5432;Database={database};Username=pipeline;Password=pipeline;GSS Encryption Mode=Disable";

    /// <summary>Runs <c>docker ARGUMENTS</c>, fails the test unless it exits 0, and returns its output.</summary>
    public static string Docker(string arguments, TimeSpan? timeout = null)
    {
        var (exitCode, output) = DockerEngine.Run("docker", arguments, timeout: timeout);
        Assert.True(exitCode == 0, $"docker {arguments} failed ({exitCode}):\n{Tail(output)}");
        return output;
    }

    public static string Tail(string output) => output.Length <= 8_000 ? output : output[^8_000..];

    private async Task WaitForPostgresAsync()
    {
        var deadline = DateTimeOffset.UtcNow + ReadyTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(HostConnectionString("tweets"));
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                return;
            }
            catch (Exception ex) when ((ex is NpgsqlException or InvalidOperationException) && DateTimeOffset.UtcNow < deadline)
            {
                // The server is still initialising.
                await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            }
        }
    }
}
