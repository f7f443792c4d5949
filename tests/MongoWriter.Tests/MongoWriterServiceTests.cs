using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The service as Program.cs builds it: configuration, start-up checks and the path from the queue to MongoDB.</summary>
public sealed class MongoWriterServiceTests
{
    [Fact]
    public async Task Start_MissingMongoConnectionString_FailsWithHint()
    {
        using var host = BuildHost(new() { ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("set the environment variable ConnectionStrings__Mongo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingMongoConnectionString_ReturnsFatalExitCode()
    {
        var host = BuildHost(new() { ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1" });

        var exitCode = await host.RunServiceAsync("mongo-writer");

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
    }

    [Fact]
    public async Task Start_InvalidDatabaseName_FailsNamingValue()
    {
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1",
            ["ConnectionStrings:Mongo"] = "mongodb://127.0.0.1:1",
            ["Mongo:Database"] = "tweets.v2",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Mongo:Database is 'tweets.v2'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Builds the service's host on the given settings alone, without environment variables.</summary>
    internal static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPipelineDefaults();
        builder.AddMongo();
        builder.AddMongoWriter();
        return builder.Build();
    }
}

/// <summary>The whole service against a real PostgreSQL queue and a real MongoDB 8 server.</summary>
[Collection(MongoCollectionDefinition.Name)]
public sealed class MongoWriterEndToEndTests(MongoFixture mongo, PostgresFixture postgres)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Service_QueuedPage_ReachesMongo()
    {
        var database = mongo.CreateDatabase();
        var connectionString = await postgres.CreateDatabaseAsync();
        var envelopes = RecordedPages.Read("docnow-twarc-csv/brexit.jsonl");
        using var host = MongoWriterServiceTests.BuildHost(new()
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["ConnectionStrings:Mongo"] = mongo.ConnectionString,
            ["Mongo:Database"] = database.DatabaseNamespace.DatabaseName,
        });
        await host.StartAsync(TestContext.Current.CancellationToken);

        await host.Services.GetRequiredService<QueueClient>().EnqueueAsync(
            [.. envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson()))],
            TestContext.Current.CancellationToken);
        var tweets = database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        long stored;
        while ((stored = await tweets.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken)) < envelopes.Count
            && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(envelopes.Count, stored);
        var indexes = await (await tweets.Indexes.ListAsync(TestContext.Current.CancellationToken)).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Contains(indexes, index => index["name"] == "author_id");
    }
}
