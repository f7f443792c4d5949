using Pipeline.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.MongoWriter.Rescore;
using Pipeline.Vader;
using Polly.Registry;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary><c>mongo-writer rescore</c> against a real MongoDB 8 server.</summary>
[Collection(MongoCollectionDefinition.Name)]
public sealed class MongoRescoreServerTests(MongoFixture mongo) : IDisposable
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    private readonly ServiceProvider services = CreateServices();

    public void Dispose() => services.Dispose();

    [Fact]
    public async Task Rescore_OutdatedDocuments_RescoredOnce()
    {
        var database = mongo.CreateDatabase();
        var tweets = database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);
        var documents = RecordedPages.Read(Brexit).Select(TweetDocumentMapper.MapTweet).ToList();
        var expected = documents.ToDictionary(d => d["_id"].AsString, d => d["sentiment"].AsBsonDocument);
        await tweets.InsertManyAsync(documents, cancellationToken: TestContext.Current.CancellationToken);

        // Three documents carry scores of an older lexicon, one has none, the rest are current.
        var outdatedIds = documents.Take(4).Select(d => d["_id"].AsString).ToList();
        var old = new BsonDocument { { "compound", 0.0 }, { "lexicon_version", "older" } };
        await tweets.UpdateManyAsync(new BsonDocument("_id", new BsonDocument("$in", new BsonArray(outdatedIds.Take(3)))), new BsonDocument("$set", new BsonDocument("sentiment", old)), cancellationToken: TestContext.Current.CancellationToken);
        await tweets.UpdateOneAsync(new BsonDocument("_id", outdatedIds[3]), new BsonDocument("$unset", new BsonDocument("sentiment", "")), cancellationToken: TestContext.Current.CancellationToken);

        var first = await RunAsync(database, batchSize: 2);
        var second = await RunAsync(database, batchSize: 2);

        Assert.True(first.Completed);
        Assert.Equal(4, first.Examined);
        Assert.Equal(4, first.Rescored);
        Assert.Equal(0, second.Examined);
        var stored = await tweets.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(TestContext.Current.CancellationToken);
        Assert.All(stored, d => Assert.Equal(expected[d["_id"].AsString], d["sentiment"].AsBsonDocument));
        Assert.All(stored, d => Assert.Equal(VaderScorer.Default.LexiconVersion, d["sentiment"]["lexicon_version"].AsString));
    }

    private async Task<SentimentRescore> RunAsync(IMongoDatabase database, int batchSize)
    {
        var rescore = new SentimentRescore(
            database,
            services.GetRequiredService<ResiliencePipelineProvider<string>>(),
            Options.Create(new RescoreOptions { BatchSize = batchSize }),
            new StoppedLifetime(),
            TimeProvider.System,
            NullLogger<SentimentRescore>.Instance);
        await rescore.StartAsync(TestContext.Current.CancellationToken);
        await rescore.ExecuteTask!;
        return rescore;
    }

    private static ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMongoResilience();
        return services.BuildServiceProvider();
    }

    /// <summary>A lifetime whose stop request the test does not need to act on.</summary>
    private sealed class StoppedLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
