using MongoDB.Driver;
using Pipeline.Testing;
using Testcontainers.MongoDb;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>
/// One MongoDB 8 container shared by the tests of <see cref="MongoCollectionDefinition"/>. The container
/// starts only when the <c>mongo:8</c> image is already on this machine, because tests never
/// pull images. Without it, <see cref="CreateDatabase"/> skips the calling test and prints why,
/// even where <c>PIPELINE_REQUIRE_DOCKER=1</c> is set, since no registry may be reachable.
/// </summary>
/// <remarks>
/// NOTE: no mongo:8 image was available where these tests were written, so the tests in this
/// collection have compiled but not yet run against a server.
/// </remarks>
public sealed class MongoFixture : IAsyncLifetime
{
    /// <summary>The image the tests run against, the same tag as the compose file's.</summary>
    public const string Image = "mongo:8";

    private MongoDbContainer? container;
    private MongoClient? client;
    private int databaseCount;

    /// <summary>Why the tests cannot run here; null when the container runs.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>The connection string of the running container.</summary>
    public string ConnectionString => container?.GetConnectionString() ?? throw new InvalidOperationException(UnavailableReason);

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        UnavailableReason = DockerEngine.UnavailableReason();
        if (UnavailableReason is not null)
        {
            return;
        }

        if (!DockerEngine.HasImage(Image))
        {
            UnavailableReason = $"The {Image} image is not on this machine (docker image inspect {Image} failed), and tests never pull images. Load {Image} into the local Docker engine to run the MongoDB tests.";
            return;
        }

        container = new MongoDbBuilder(Image).Build();
        await container.StartAsync(TestContext.Current.CancellationToken);
        client = new MongoClient(container.GetConnectionString());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (container is not null)
        {
            await container.DisposeAsync();
        }
    }

    /// <summary>Returns an empty database of the test's own; skips the test when MongoDB cannot run here.</summary>
    public IMongoDatabase CreateDatabase()
    {
        if (client is null)
        {
            // A missing Docker engine follows the repository's rule (fail when Docker is required);
            // a missing mongo:8 image always skips.
            DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
            Assert.Skip(UnavailableReason ?? $"The {Image} container did not start.");
        }

        return client.GetDatabase($"test_{Interlocked.Increment(ref databaseCount)}_{Guid.NewGuid():N}"[..30]);
    }
}
