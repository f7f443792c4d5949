using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Pipeline.Testing;

/// <summary>
/// One PostgreSQL 17 container shared by the tests of a collection. Each test creates a database
/// of its own with <see cref="CreateDatabaseAsync"/>, so tests do not see each other's rows.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    /// <summary>The image every PostgreSQL test runs against, pinned like the compose file's.</summary>
    public const string Image = "postgres:17";

    private PostgreSqlContainer? container;
    private int databaseCount;

    /// <summary>Why the tests cannot run here, when Docker is missing; null when they can.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>The running container, for tests that stop or restart it.</summary>
    public PostgreSqlContainer Container => container ?? throw new InvalidOperationException(UnavailableReason);

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        UnavailableReason = DockerEngine.UnavailableReason();
        if (UnavailableReason is not null)
        {
            return;
        }

        container = new PostgreSqlBuilder(Image)
            .WithCommand("-c", "max_connections=300")
            .Build();
        await container.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (container is not null)
        {
            await container.DisposeAsync();
        }
    }

    /// <summary>Creates an empty database and returns its connection string; skips the test when Docker is missing.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        DockerEngine.SkipWhenUnavailable(UnavailableReason);
        var name = $"test_{Interlocked.Increment(ref databaseCount)}_{Guid.NewGuid():N}"[..30];
        await using (var connection = new NpgsqlConnection(Container.GetConnectionString()))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(Container.GetConnectionString()) { Database = name }.ConnectionString;
    }
}
