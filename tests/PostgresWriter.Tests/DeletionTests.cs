using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>TweetDeletion messages in flag and remove mode, in any order with the tweet, delivered any number of times.</summary>
[Collection(UsesPostgres.Name)]
public sealed class DeletionTests(PostgresFixture fixture)
{
    private const long TweetId = 50;
    private static readonly DateTimeOffset DeletedAt = new(2023, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Flag_StoredTweet_MarksRowAndKeepsIt()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Flag);
        await database.HandleAsync([TweetMessage(1)]);

        var failures = await database.HandleAsync([Deletion(2, "deleted")]);

        Assert.Empty(failures);
        var row = Assert.Single(await database.QueryAsync<(DateTime? DeletedAt, string? Reason)>("select deleted_at, deletion_reason from public.tweets"));
        Assert.Equal((DeletedAt.UtcDateTime, "deleted"), row);
        Assert.Equal(2, await database.ScalarAsync<long>("select count(*) from public.hashtags"));
        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.tweets_with_authors"));
        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.hashtag_counts_hourly"));
    }

    [Fact]
    public async Task Flag_AnyDeletion_RecordsTombstone()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Flag);

        await database.HandleAsync([Deletion(1, "suspended")]);

        var tombstone = Assert.Single(await database.QueryAsync<(long Id, string Reason, DateTime ObservedAt, string SourceKind, string SourceName)>(
            "select id, reason, observed_at, source_kind, source_name from public.deleted_tweets"));
        Assert.Equal((TweetId, "suspended", DeletedAt.UtcDateTime, "compliance", "job-1"), tombstone);
        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.tweets"));
    }

    [Fact]
    public async Task Flag_TombstoneBeforeTweet_StoresTweetFlagged()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Flag);
        await database.HandleAsync([Deletion(1, "deleted")]);

        await database.HandleAsync([TweetMessage(2)]);

        var row = Assert.Single(await database.QueryAsync<(DateTime? DeletedAt, string? Reason)>("select deleted_at, deletion_reason from public.tweets"));
        Assert.Equal((DeletedAt.UtcDateTime, "deleted"), row);
    }

    [Fact]
    public async Task Flag_RedeliveredTweet_StaysFlagged()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Flag);
        await database.HandleAsync([TweetMessage(1)]);
        await database.HandleAsync([Deletion(2, "deleted")]);

        await database.HandleAsync([TweetMessage(3, Envelopes.CollectedAt.AddDays(1))]);

        var row = Assert.Single(await database.QueryAsync<(DateTime? DeletedAt, string? Reason)>("select deleted_at, deletion_reason from public.tweets"));
        Assert.Equal((DeletedAt.UtcDateTime, "deleted"), row);
    }

    [Fact]
    public async Task Flag_SameBatch_StoresTweetFlagged()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Flag);

        await database.HandleAsync([Deletion(1, "deleted"), TweetMessage(2)]);

        Assert.Equal("deleted", await database.ScalarAsync<string?>("select deletion_reason from public.tweets"));
    }

    [Theory]
    [InlineData(DeletionMode.Flag)]
    [InlineData(DeletionMode.Remove)]
    public async Task Deletion_DeliveredTwice_ChangesNothing(DeletionMode mode)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, mode);
        await database.HandleAsync([TweetMessage(1)]);
        await database.HandleAsync([Deletion(2, "deleted")]);
        var first = await database.CountRowsAsync();
        var tombstone = await database.QueryAsync<(string Reason, DateTime ObservedAt)>("select reason, observed_at from public.deleted_tweets");
        var flag = await database.QueryAsync<(DateTime? DeletedAt, string? Reason)>("select deleted_at, deletion_reason from public.tweets");

        // A second report with another reason and time, as a later compliance job would send.
        await database.HandleAsync([Deletion(3, "deleted"), Deletion(4, "protected", DeletedAt.AddDays(2))]);

        Assert.Equal(first, await database.CountRowsAsync());
        Assert.Equal(tombstone, await database.QueryAsync<(string Reason, DateTime ObservedAt)>("select reason, observed_at from public.deleted_tweets"));
        Assert.Equal(flag, await database.QueryAsync<(DateTime? DeletedAt, string? Reason)>("select deleted_at, deletion_reason from public.tweets"));
    }

    [Fact]
    public async Task Remove_StoredTweet_DeletesEveryDerivedRow()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Remove);
        await database.HandleAsync([TweetMessage(1)]);
        var stored = await database.CountRowsAsync();
        foreach (var table in new[] { "tweets", "hashtags", "mentions", "urls", "referenced_tweets", "tweet_sentiment", "context_annotations", "entity_annotations", "tweet_media", "media", "polls", "poll_options" })
        {
            Assert.True(stored[table] > 0, $"The test tweet left {table} empty, so its removal proves nothing there.");
        }

        await database.HandleAsync([Deletion(2, "deleted")]);

        var counts = await database.CountRowsAsync();
        foreach (var table in WriterDatabase.Tables.Except(["users", "places", "deleted_tweets"]))
        {
            Assert.True(counts[table] == 0, $"{table} still has {counts[table]} rows after the removal.");
        }

        // Users and places are shared with other tweets, and the tombstone stays.
        Assert.Equal(1, counts["users"]);
        Assert.Equal(1, counts["places"]);
        Assert.Equal(1, counts["deleted_tweets"]);
    }

    [Fact]
    public async Task Remove_SharedMedia_KeepsOtherTweetsMedia()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Remove);
        var other = Envelopes.FromTweet("""{"id": "51", "text": "same video", "attachments": {"media_keys": ["7_50"]}}""");
        await database.HandleAsync([TweetMessage(1), .. Envelopes.Messages(2, other)]);

        await database.HandleAsync([Deletion(3, "deleted")]);

        Assert.Equal(["7_50"], await database.QueryAsync<string>("select media_key from public.media"));
        Assert.Equal([51L], await database.QueryAsync<long>("select tweet_id from public.tweet_media"));
    }

    [Fact]
    public async Task Remove_TombstoneBeforeTweet_StoresNothing()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Remove);
        await database.HandleAsync([Deletion(1, "deleted")]);

        var failures = await database.HandleAsync([TweetMessage(2)]);

        Assert.Empty(failures);
        var counts = await database.CountRowsAsync();
        foreach (var table in WriterDatabase.Tables.Except(["users", "places", "deleted_tweets"]))
        {
            Assert.True(counts[table] == 0, $"{table} has {counts[table]} rows of a tweet deleted before it arrived.");
        }
    }

    [Fact]
    public async Task Remove_RedeliveredTweet_StaysRemoved()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Remove);
        await database.HandleAsync([TweetMessage(1)]);
        await database.HandleAsync([Deletion(2, "deleted")]);

        await database.HandleAsync([TweetMessage(3, Envelopes.CollectedAt.AddDays(1))]);

        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.tweets"));
        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.hashtags"));
    }

    [Fact]
    public async Task Remove_SameBatch_StoresNothing()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Remove);

        await database.HandleAsync([Deletion(1, "deleted"), TweetMessage(2)]);

        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.tweets"));
        Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from public.media"));
    }

    [Fact]
    public async Task Remove_ReferencedCopy_IsNotStored()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture, DeletionMode.Remove);
        await database.HandleAsync([Deletion(1, "deleted")]);
        var quote = Envelopes.FromTweet("""{"id": "52", "text": "quoting", "referenced_tweets": [{"type": "quoted", "id": "50"}]}""")
            .WithReferencedTweet("quoted", """{"id": "50", "text": "gone"}""");

        await database.HandleAsync(Envelopes.Messages(2, quote));

        Assert.Equal([52L], await database.QueryAsync<long>("select id from public.tweets"));
        Assert.Equal([50L], await database.QueryAsync<long>("select referenced_id from public.referenced_tweets"));
    }

    [Fact]
    public async Task Deletion_InvalidPayload_FailsAlone()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        var failures = await database.HandleAsync(
            [Envelopes.Message(1, """{"type": "deletion", "id": "abc", "reason": "deleted"}"""), TweetMessage(2)]);

        var failure = Assert.Single(failures);
        Assert.Equal(1, failure.MessageId);
        Assert.Equal(1, await database.ScalarAsync<long>("select count(*) from public.tweets"));
    }

    // A tweet with an entity, annotation, reference, media object, place and poll of each kind, so
    // that a removal has a row to delete in every table.
    private static QueueMessage TweetMessage(long messageId, DateTimeOffset? collectedAt = null)
    {
        var envelope = Envelopes.FromTweet(
            """
            {"id": "50", "text": "#one #two @someone https://t.co/x", "author_id": "60",
             "created_at": "2023-02-01T10:00:00.000Z",
             "referenced_tweets": [{"type": "replied_to", "id": "49"}],
             "attachments": {"media_keys": ["7_50"], "poll_ids": ["5000"]},
             "geo": {"place_id": "abc123"},
             "context_annotations": [{"domain": {"id": "10", "name": "Person"}, "entity": {"id": "1", "name": "Someone"}}],
             "entities": {"hashtags": [{"start": 0, "end": 4, "tag": "one"}, {"start": 5, "end": 9, "tag": "two"}],
                          "mentions": [{"start": 10, "end": 19, "username": "someone", "id": "61"}],
                          "urls": [{"start": 20, "end": 33, "url": "https://t.co/x", "expanded_url": "https://example.com"}],
                          "annotations": [{"start": 11, "end": 18, "probability": 0.5, "type": "Person", "normalized_text": "someone"}]}}
            """,
            """{"id": "60", "username": "author", "name": "Author"}""",
            collectedAt);
        envelope = envelope with
        {
            Media = [Json("""{"media_key": "7_50", "type": "video", "public_metrics": {"view_count": 5}}""")],
            Places = [Json("""{"id": "abc123", "full_name": "Somewhere"}""")],
            Polls = [Json("""{"id": "5000", "options": [{"position": 1, "label": "a", "votes": 1}, {"position": 2, "label": "b", "votes": 2}]}""")],
        };
        return Envelopes.Messages(messageId, envelope)[0];
    }

    private static QueueMessage Deletion(long messageId, string reason, DateTimeOffset? observedAt = null) =>
        Envelopes.Message(messageId, new TweetDeletion("50", reason, new CollectionSource("compliance", "job-1"), observedAt ?? DeletedAt).ToJson(), "50");

    private static System.Text.Json.JsonElement Json(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
