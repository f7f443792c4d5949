using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The handler's deletions in both modes, against the in-memory store.</summary>
public sealed class DeletionHandlerTests
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    private static readonly DateTimeOffset DeletedAt = new(2021, 10, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly InMemoryTweetStore store = new();

    [Fact]
    public async Task Deletion_FlagMode_MarksStoredTweet()
    {
        var envelopes = RecordedPages.Read(Brexit);
        var handler = CreateHandler(DeletionMode.Flag);
        await handler.HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);
        var id = envelopes[0].Id;

        var failures = await handler.HandleAsync([Message(100, Deletion(id, "deleted"))], TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        var stored = store.Tweets[id];
        Assert.Equal(DeletedAt.UtcDateTime, stored[DeletionDocuments.DeletedAtField].ToUniversalTime());
        Assert.Equal("deleted", stored[DeletionDocuments.DeletionReasonField].AsString);
        Assert.Equal(new Tombstone(id, "deleted", DeletedAt), store.Tombstones[id]);
        Assert.Equal(envelopes.Count, store.Tweets.Count);
    }

    [Fact]
    public async Task Deletion_RemoveMode_RemovesTweetAndCopies()
    {
        var envelopes = RecordedPages.Read(Brexit);
        var (retweet, originalId) = RetweetWithIncludedOriginal(envelopes);
        var handler = CreateHandler(DeletionMode.Remove);
        await handler.HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);
        var removedId = envelopes[0].Id == retweet.Id ? envelopes[1].Id : envelopes[0].Id;

        var failures = await handler.HandleAsync(
            [Message(100, Deletion(removedId, "deleted")), Message(101, Deletion(originalId, "suspended"))],
            TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.False(store.Tweets.ContainsKey(removedId));
        Assert.False(store.Tweets.ContainsKey(originalId));
        var reference = EmbeddedReference(store.Tweets[retweet.Id], originalId);
        Assert.Equal(BsonNull.Value, reference["tweet"]);
        Assert.Equal(originalId, reference["id"].AsString);
        Assert.Equal(2, store.Tombstones.Count);
    }

    [Fact]
    public async Task TweetAfterDeletion_FlagMode_StoredFlagged()
    {
        var envelope = RecordedPages.Read(Brexit)[0];
        var handler = CreateHandler(DeletionMode.Flag);
        await handler.HandleAsync([Message(1, Deletion(envelope.Id, "protected"))], TestContext.Current.CancellationToken);

        var failures = await handler.HandleAsync(new[] { envelope }.ToMessages(firstId: 2), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal("protected", store.Tweets[envelope.Id][DeletionDocuments.DeletionReasonField].AsString);
    }

    [Fact]
    public async Task TweetAfterDeletion_RemoveMode_NotStored()
    {
        var envelopes = RecordedPages.Read(Brexit);
        var (retweet, originalId) = RetweetWithIncludedOriginal(envelopes);
        var handler = CreateHandler(DeletionMode.Remove);
        await handler.HandleAsync(
            [Message(1, Deletion(envelopes[0].Id, "deleted")), Message(2, Deletion(originalId, "deleted"))],
            TestContext.Current.CancellationToken);

        var failures = await handler.HandleAsync(envelopes.ToMessages(firstId: 3), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.False(store.Tweets.ContainsKey(envelopes[0].Id));
        Assert.Equal(BsonNull.Value, EmbeddedReference(store.Tweets[retweet.Id], originalId)["tweet"]);
    }

    [Fact]
    public async Task DeletionAndTweet_SameBatch_TweetDeleted()
    {
        var envelope = RecordedPages.Read(Brexit)[0];
        var handler = CreateHandler(DeletionMode.Remove);
        List<QueueMessage> messages = [.. new[] { envelope }.ToMessages(firstId: 1), Message(2, Deletion(envelope.Id, "deleted"))];

        var failures = await handler.HandleAsync(messages, TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.False(store.Tweets.ContainsKey(envelope.Id));
    }

    [Fact]
    public async Task SameDeletionTwice_ChangesNothing()
    {
        var envelope = RecordedPages.Read(Brexit)[0];
        var handler = CreateHandler(DeletionMode.Flag);
        await handler.HandleAsync(new[] { envelope }.ToMessages(), TestContext.Current.CancellationToken);
        await handler.HandleAsync([Message(10, Deletion(envelope.Id, "deleted"))], TestContext.Current.CancellationToken);
        var first = store.Tweets[envelope.Id].DeepClone();

        var later = new TweetDeletion(envelope.Id, "suspended", new CollectionSource("compliance", "later.jsonl"), DeletedAt.AddDays(1));
        var failures = await handler.HandleAsync([Message(11, Deletion(envelope.Id, "deleted")), Message(12, later)], TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal(first, store.Tweets[envelope.Id]);
        Assert.Equal(new Tombstone(envelope.Id, "deleted", DeletedAt), Assert.Single(store.Tombstones).Value);
    }

    [Fact]
    public async Task TombstoneDuringWrite_TweetStillFlagged()
    {
        var envelope = RecordedPages.Read(Brexit)[0];
        var handler = CreateHandler(DeletionMode.Flag);

        // Another writer stores the tombstone after this batch looked for one but before it writes.
        store.BeforeTweetUpsert = () => store.AddTombstone(new Tombstone(envelope.Id, "deleted", DeletedAt));
        var failures = await handler.HandleAsync(new[] { envelope }.ToMessages(), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal("deleted", store.Tweets[envelope.Id][DeletionDocuments.DeletionReasonField].AsString);
    }

    [Fact]
    public async Task InvalidDeletion_FailsOnlyThatMessage()
    {
        var envelope = RecordedPages.Read(Brexit)[0];
        var invalid = new QueueMessage(1, RecordedPages.CollectedAt, "x", """{"type":"deletion","id":"x","reason":"deleted"}""", 1);

        var failures = await CreateHandler(DeletionMode.Flag).HandleAsync([invalid, .. new[] { envelope }.ToMessages(firstId: 2)], TestContext.Current.CancellationToken);

        var failure = Assert.Single(failures);
        Assert.Equal(1, failure.MessageId);
        Assert.Contains("'x'", failure.Error, StringComparison.Ordinal);
        Assert.True(store.Tweets.ContainsKey(envelope.Id));
    }

    [Fact]
    public async Task TweetWithoutCreatedAt_FailsWithValidatorReason()
    {
        var envelope = RecordedPages.FromTweetJson("""{"id":"1440716895355764743","text":"no time"}""");

        var failures = await CreateHandler(DeletionMode.Flag).HandleAsync(new[] { envelope }.ToMessages(), TestContext.Current.CancellationToken);

        var failure = Assert.Single(failures);
        Assert.Contains("Tweet 1440716895355764743 has no created_at", failure.Error, StringComparison.Ordinal);
        Assert.Contains("validator", failure.Error, StringComparison.Ordinal);
        Assert.Empty(store.Tweets);
    }

    private static (TweetEnvelope Retweet, string OriginalId) RetweetWithIncludedOriginal(List<TweetEnvelope> envelopes)
    {
        var retweet = envelopes.First(e => e.ReferencedTweets.Any(r => r.Type == "retweeted" && r.Tweet is not null));
        return (retweet, retweet.ReferencedTweets.First(r => r.Type == "retweeted").Id);
    }

    private static BsonDocument EmbeddedReference(BsonDocument tweet, string id) =>
        tweet["referenced_tweets"].AsBsonArray.OfType<BsonDocument>().Single(r => r["id"].AsString == id);

    private static TweetDeletion Deletion(string id, string reason) =>
        new(id, reason, new CollectionSource("compliance", "results.jsonl"), DeletedAt);

    private static QueueMessage Message(long messageId, TweetDeletion deletion) =>
        new(messageId, RecordedPages.CollectedAt, deletion.Id, deletion.ToJson(), 1);

    private MongoWriterHandler CreateHandler(DeletionMode mode) => new(
        store,
        Options.Create(new DeletionOptions { Mode = mode == DeletionMode.Remove ? DeletionOptions.RemoveName : DeletionOptions.FlagName }),
        NullLogger<MongoWriterHandler>.Instance);
}
