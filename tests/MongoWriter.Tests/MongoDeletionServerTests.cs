using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Polly.Registry;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>Deletions, the tweets validator and the indexes against a real MongoDB 8 server.</summary>
[Collection(MongoCollectionDefinition.Name)]
public sealed class MongoDeletionServerTests(MongoFixture mongo) : IDisposable
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    private static readonly DateTimeOffset DeletedAt = new(2021, 10, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider services = CreateServices();

    public void Dispose() => services.Dispose();

    [Fact]
    public async Task Prepare_NewDatabase_CreatesValidatorAndIndexes()
    {
        var database = mongo.CreateDatabase();

        await PrepareAsync(database);
        await PrepareAsync(database);

        var names = (await (await Tweets(database).Indexes.ListAsync(TestContext.Current.CancellationToken)).ToListAsync(TestContext.Current.CancellationToken))
            .Select(index => index["name"].AsString)
            .ToHashSet();
        Assert.Superset(MongoIndexes.TweetIndexModels().Select(m => m.Options.Name).ToHashSet(), names);
        var options = await CollectionOptionsAsync(database);
        Assert.Equal(TweetSchema.Validator(), options["validator"].AsBsonDocument);
        Assert.Equal("error", options["validationAction"].AsString);
    }

    [Fact]
    public async Task Prepare_ExistingCollection_AppliesValidator()
    {
        var database = mongo.CreateDatabase();
        await Tweets(database).InsertOneAsync(new BsonDocument { { "_id", "1" }, { "text", "stored before the validator" } }, cancellationToken: TestContext.Current.CancellationToken);

        await PrepareAsync(database);

        var options = await CollectionOptionsAsync(database);
        Assert.Equal(TweetSchema.Validator(), options["validator"].AsBsonDocument);
        Assert.Equal(1, await Tweets(database).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Validator_MissingCreatedAt_RejectsWithCode121()
    {
        var database = mongo.CreateDatabase();
        await PrepareAsync(database);
        var store = CreateStore(database);
        var document = TweetDocumentMapper.MapTweet(RecordedPages.Read(Brexit)[0]);
        document.Remove("created_at");

        var outcome = Assert.Single(await store.UpsertTweetsAsync([document], TestContext.Current.CancellationToken));

        Assert.Equal(UpsertStatus.Failed, outcome.Status);
        Assert.Contains("validator rejected the document (code 121)", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletion_FlagMode_MarksTweetAndStoresTombstone()
    {
        var database = mongo.CreateDatabase();
        await PrepareAsync(database);
        var envelopes = RecordedPages.Read(Brexit);
        var handler = CreateHandler(database, DeletionMode.Flag);
        await handler.HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);
        var id = envelopes[0].Id;

        var failures = await handler.HandleAsync([Message(100, id, "deleted"), Message(101, id, "deleted")], TestContext.Current.CancellationToken);
        var redelivered = await handler.HandleAsync(envelopes.Take(1).ToMessages(firstId: 102), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Empty(redelivered);
        var stored = await Tweets(database).Find(new BsonDocument("_id", id)).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(DeletedAt.UtcDateTime, stored["deleted_at"].ToUniversalTime());
        Assert.Equal("deleted", stored["deletion_reason"].AsString);
        var tombstone = await Tombstones(database).Find(new BsonDocument("_id", id)).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("deleted", tombstone["reason"].AsString);
        Assert.Equal("compliance", tombstone["source"]["kind"].AsString);
        Assert.Equal(envelopes.Count, await Tweets(database).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Deletion_RemoveMode_DeletesTweetAndNullsCopies()
    {
        var database = mongo.CreateDatabase();
        await PrepareAsync(database);
        var envelopes = RecordedPages.Read(Brexit);
        var retweet = envelopes.First(e => e.ReferencedTweets.Any(r => r.Type == "retweeted" && r.Tweet is not null));
        var originalId = retweet.ReferencedTweets.First(r => r.Type == "retweeted").Id;
        var copies = envelopes.Count(e => e.ReferencedTweets.Any(r => r.Id == originalId));
        var handler = CreateHandler(database, DeletionMode.Remove);
        await handler.HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        var failures = await handler.HandleAsync([Message(100, originalId, "deleted")], TestContext.Current.CancellationToken);
        var redelivered = await handler.HandleAsync(envelopes.ToMessages(firstId: 200), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Empty(redelivered);
        Assert.Equal(0, await Tweets(database).CountDocumentsAsync(new BsonDocument("_id", originalId), cancellationToken: TestContext.Current.CancellationToken));
        var nulled = new BsonDocument("referenced_tweets", new BsonDocument("$elemMatch", new BsonDocument { { "id", originalId }, { "tweet", BsonNull.Value } }));
        Assert.Equal(copies, await Tweets(database).CountDocumentsAsync(nulled, cancellationToken: TestContext.Current.CancellationToken));
        var withCopy = new BsonDocument("referenced_tweets", new BsonDocument("$elemMatch", new BsonDocument { { "id", originalId }, { "tweet", new BsonDocument("$ne", BsonNull.Value) } }));
        Assert.Equal(0, await Tweets(database).CountDocumentsAsync(withCopy, cancellationToken: TestContext.Current.CancellationToken));
    }

    private async Task PrepareAsync(IMongoDatabase database) =>
        await new MongoIndexes(database, services.GetRequiredService<ResiliencePipelineProvider<string>>(), NullLogger<MongoIndexes>.Instance)
            .StartAsync(TestContext.Current.CancellationToken);

    private MongoTweetStore CreateStore(IMongoDatabase database) =>
        new(database, services.GetRequiredService<ResiliencePipelineProvider<string>>());

    private MongoWriterHandler CreateHandler(IMongoDatabase database, DeletionMode mode) => new(
        CreateStore(database),
        Options.Create(new DeletionOptions { Mode = mode == DeletionMode.Remove ? DeletionOptions.RemoveName : DeletionOptions.FlagName }),
        NullLogger<MongoWriterHandler>.Instance);

    private static async Task<BsonDocument> CollectionOptionsAsync(IMongoDatabase database)
    {
        var filter = new ListCollectionsOptions { Filter = new BsonDocument("name", MongoTweetStore.TweetsCollection) };
        var collections = await (await database.ListCollectionsAsync(filter, TestContext.Current.CancellationToken)).ToListAsync(TestContext.Current.CancellationToken);
        return Assert.Single(collections)["options"].AsBsonDocument;
    }

    private static QueueMessage Message(long messageId, string tweetId, string reason)
    {
        var deletion = new TweetDeletion(tweetId, reason, new CollectionSource("compliance", "results.jsonl"), DeletedAt);
        return new QueueMessage(messageId, RecordedPages.CollectedAt, tweetId, deletion.ToJson(), 1);
    }

    private static IMongoCollection<BsonDocument> Tweets(IMongoDatabase database) => database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);

    private static IMongoCollection<BsonDocument> Tombstones(IMongoDatabase database) => database.GetCollection<BsonDocument>(DeletionDocuments.TombstonesCollection);

    private static ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMongoResilience();
        return services.BuildServiceProvider();
    }
}
