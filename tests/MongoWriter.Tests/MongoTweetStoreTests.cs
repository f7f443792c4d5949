using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Core.Tweets;
using Polly.Registry;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The MongoDB store, index creation and handler against a real MongoDB 8 server.</summary>
[Collection(MongoCollectionDefinition.Name)]
public sealed class MongoTweetStoreTests(MongoFixture mongo)
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    private static readonly DateTimeOffset Later = RecordedPages.CollectedAt.AddHours(1);

    [Fact]
    public async Task UpsertTweets_Redelivery_LeavesOneDocument()
    {
        var database = mongo.CreateDatabase();
        var store = CreateStore(database);
        var documents = MapTweets(RecordedPages.Read(Brexit));

        var first = await store.UpsertTweetsAsync(documents, TestContext.Current.CancellationToken);
        var second = await store.UpsertTweetsAsync(documents, TestContext.Current.CancellationToken);

        Assert.All(first, outcome => Assert.Equal(UpsertStatus.Written, outcome.Status));
        Assert.All(second, outcome => Assert.Equal(UpsertStatus.Written, outcome.Status));
        Assert.Equal(documents.Count, await Tweets(database).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UpsertTweets_OlderObservation_KeepsNewerDocument()
    {
        var database = mongo.CreateDatabase();
        var store = CreateStore(database);
        var newer = MapTweets(RecordedPages.Read(Brexit, Later).Take(5));
        var older = MapTweets(RecordedPages.Read(Brexit).Take(5));

        await store.UpsertTweetsAsync(newer, TestContext.Current.CancellationToken);
        var outcomes = await store.UpsertTweetsAsync(older, TestContext.Current.CancellationToken);

        Assert.All(outcomes, outcome => Assert.Equal(UpsertStatus.AlreadyNewer, outcome.Status));
        var stored = await Tweets(database).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(5, stored.Count);
        Assert.All(stored, tweet => Assert.Equal(Later.UtcDateTime, tweet["metrics"]["observed_at"].ToUniversalTime()));
    }

    [Fact]
    public async Task UpsertTweets_NewerObservation_ReplacesDocument()
    {
        var database = mongo.CreateDatabase();
        var store = CreateStore(database);
        var envelope = RecordedPages.Find("docnow-twarc-csv/two_tweets.jsonl", "1394735776701816833");
        var newer = envelope.WithRetweetCount(99) with { CollectedAt = Later };

        await store.UpsertTweetsAsync([TweetDocumentMapper.MapTweet(envelope)], TestContext.Current.CancellationToken);
        var outcomes = await store.UpsertTweetsAsync([TweetDocumentMapper.MapTweet(newer)], TestContext.Current.CancellationToken);

        Assert.Equal(UpsertStatus.Written, Assert.Single(outcomes).Status);
        var stored = await Tweets(database).Find(new BsonDocument("_id", envelope.Id)).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(99L, stored["metrics"]["retweet_count"].AsInt64);
        Assert.Equal(Later.UtcDateTime, stored["metrics"]["observed_at"].ToUniversalTime());
    }

    [Fact]
    public async Task UpsertTweets_TwoObservationsOneBatch_KeepsNewer()
    {
        var database = mongo.CreateDatabase();
        var store = CreateStore(database);
        var envelope = RecordedPages.Find("docnow-twarc-csv/two_tweets.jsonl", "1394735776701816833");
        var newer = envelope.WithRetweetCount(99) with { CollectedAt = Later };

        var outcomes = await store.UpsertTweetsAsync(
            [TweetDocumentMapper.MapTweet(newer), TweetDocumentMapper.MapTweet(envelope)],
            TestContext.Current.CancellationToken);

        Assert.Equal([UpsertStatus.Written, UpsertStatus.AlreadyNewer], outcomes.Select(o => o.Status));
        var stored = await Tweets(database).Find(new BsonDocument("_id", envelope.Id)).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(99L, stored["metrics"]["retweet_count"].AsInt64);
    }

    [Fact]
    public async Task UpsertTweets_RawSpecialKeys_ReadBackExactly()
    {
        var database = mongo.CreateDatabase();
        var envelope = RecordedPages.FromTweetJson("""
            {"id": "9223372036854775807", "text": "a\u0000b 💙", "a.b": 1, "$type": "x",
             "nested": {"$set": {"c.d": [{"$x": 1, "100%": 12345678901234567890123}]}}}
            """);

        await CreateStore(database).UpsertTweetsAsync([TweetDocumentMapper.MapTweet(envelope)], TestContext.Current.CancellationToken);

        var stored = await Tweets(database).Find(new BsonDocument("_id", "9223372036854775807")).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("a\0b 💙", stored["text"].AsString);
        Assert.True(JsonElement.DeepEquals(envelope.Tweet, RecordedPages.Parse(JsonBsonConverter.ToJson(stored["raw"]))));
    }

    [Fact]
    public async Task UpsertTweets_RejectedDocument_WritesTheOthers()
    {
        var database = mongo.CreateDatabase();
        // A collection validator makes the server reject the second document with a write error of its own.
        await database.CreateCollectionAsync(
            MongoTweetStore.TweetsCollection,
            new CreateCollectionOptions<BsonDocument> { Validator = new BsonDocument("text", new BsonDocument("$ne", "rejected")) },
            TestContext.Current.CancellationToken);
        var documents = MapTweets(RecordedPages.Read(Brexit).Take(3));
        documents[1]["text"] = "rejected";

        var outcomes = await CreateStore(database).UpsertTweetsAsync(documents, TestContext.Current.CancellationToken);

        Assert.Equal([UpsertStatus.Written, UpsertStatus.Failed, UpsertStatus.Written], outcomes.Select(o => o.Status));
        Assert.StartsWith("MongoDB rejected the document", outcomes[1].Error, StringComparison.Ordinal);
        Assert.Equal(2, await Tweets(database).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UpsertUsers_OlderObservation_KeepsNewerDocument()
    {
        var database = mongo.CreateDatabase();
        var store = CreateStore(database);
        var envelope = RecordedPages.Find("docnow-twarc-csv/two_tweets.jsonl", "1394735776701816833");

        await store.UpsertUsersAsync(TweetDocumentMapper.MapUsers(envelope with { CollectedAt = Later }), TestContext.Current.CancellationToken);
        var outcomes = await store.UpsertUsersAsync(TweetDocumentMapper.MapUsers(envelope), TestContext.Current.CancellationToken);

        Assert.All(outcomes, outcome => Assert.Equal(UpsertStatus.AlreadyNewer, outcome.Status));
        var users = await database.GetCollection<BsonDocument>(MongoTweetStore.UsersCollection).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, users.Count);
        Assert.All(users, user => Assert.Equal(Later.UtcDateTime, user["observed_at"].ToUniversalTime()));
    }

    [Fact]
    public async Task Indexes_AtStart_CoverQueriedFields()
    {
        var database = mongo.CreateDatabase();
        using var services = CreateServices();
        var indexes = new MongoIndexes(database, services.GetRequiredService<ResiliencePipelineProvider<string>>(), NullLogger<MongoIndexes>.Instance);

        await indexes.StartAsync(TestContext.Current.CancellationToken);
        await indexes.StartAsync(TestContext.Current.CancellationToken);

        var names = (await (await Tweets(database).Indexes.ListAsync(TestContext.Current.CancellationToken)).ToListAsync(TestContext.Current.CancellationToken))
            .Select(index => index["name"].AsString)
            .ToList();
        Assert.Contains("author_id", names);
        Assert.Contains("created_at", names);
        Assert.Contains("hashtags", names);
        Assert.Contains("hashtags_lower", names);
    }

    [Fact]
    public async Task Handler_RecordedPage_WritesTweetsAndUsers()
    {
        var database = mongo.CreateDatabase();
        var envelopes = RecordedPages.Read(Brexit);
        var handler = new MongoWriterHandler(CreateStore(database), Microsoft.Extensions.Options.Options.Create(new DeletionOptions()), NullLogger<MongoWriterHandler>.Instance);

        var failures = await handler.HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal(envelopes.Count, await Tweets(database).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
        var withIncludedReference = envelopes.First(e => e.ReferencedTweets.Count > 0 && e.ReferencedTweets[0].Tweet is not null);
        var stored = await Tweets(database).Find(new BsonDocument("_id", withIncludedReference.Id)).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(withIncludedReference.ReferencedTweets[0].Id, stored["referenced_tweets"][0]["tweet"]["id"].AsString);
        var brexit = await Tweets(database).CountDocumentsAsync(new BsonDocument("hashtags_lower", "brexit"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(brexit > 0, "No stored tweet has the hashtag brexit.");
        var authors = await database.GetCollection<BsonDocument>(MongoTweetStore.UsersCollection).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(authors >= envelopes.Select(e => e.Tweet.GetProperty("author_id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Handler_OversizedTweet_WritesTheOthers()
    {
        var database = mongo.CreateDatabase();
        var oversized = RecordedPages.FromTweetJson(JsonSerializer.Serialize(new { id = "77", text = new string('x', 17 * 1024 * 1024) }));
        var envelopes = RecordedPages.Read(Brexit).Take(3).Append(oversized).ToList();
        var handler = new MongoWriterHandler(CreateStore(database), Microsoft.Extensions.Options.Options.Create(new DeletionOptions()), NullLogger<MongoWriterHandler>.Instance);

        var failures = await handler.HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        Assert.Equal(4, Assert.Single(failures).MessageId);
        Assert.Equal(3, await Tweets(database).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    private static List<BsonDocument> MapTweets(IEnumerable<TweetEnvelope> envelopes) => [.. envelopes.Select(TweetDocumentMapper.MapTweet)];

    private static IMongoCollection<BsonDocument> Tweets(IMongoDatabase database) => database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);

    private static MongoTweetStore CreateStore(IMongoDatabase database)
    {
        var services = CreateServices();
        return new MongoTweetStore(database, services.GetRequiredService<ResiliencePipelineProvider<string>>());
    }

    private static ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMongoResilience();
        return services.BuildServiceProvider();
    }
}
