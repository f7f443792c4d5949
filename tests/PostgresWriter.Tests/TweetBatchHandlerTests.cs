using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tweets;
using Pipeline.PostgresWriter.Sentiment;
using Pipeline.Testing;
using Pipeline.Vader;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

[Collection(UsesPostgres.Name)]
public sealed class TweetBatchHandlerTests(PostgresFixture fixture)
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    [Fact]
    public async Task Handle_BrexitPage_StoresEachTweetOnce()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        var failures = await database.HandleAsync(envelopes.ToMessages());

        Assert.Empty(failures);
        var stored = await database.QueryAsync<long>("select id from public.tweets where not referenced_only order by id");
        Assert.Equal(envelopes.Select(e => long.Parse(e.Id)).Order(), stored);
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresSourceFields()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        var rows = (await database.QueryAsync<(long Id, string Text, DateTime CreatedAt, long AuthorId, string AuthorUsername)>(
                """
                select t.id, t.text, t.created_at, t.author_id, a.author_username
                  from public.tweets t
                  join public.tweets_with_authors a on a.id = t.id
                """))
            .ToDictionary(r => r.Id);
        foreach (var envelope in envelopes)
        {
            var source = envelope.Tweet;
            var row = rows[long.Parse(envelope.Id)];
            Assert.Equal(source.GetProperty("text").GetString(), row.Text);
            Assert.Equal(DateTimeOffset.Parse(source.GetProperty("created_at").GetString()!).UtcDateTime, row.CreatedAt);
            Assert.Equal(long.Parse(source.GetProperty("author_id").GetString()!), row.AuthorId);
            Assert.Equal(envelope.Author!.Value.GetProperty("username").GetString(), row.AuthorUsername);
        }
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresSourceHashtags()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        var stored = (await database.QueryAsync<(long TweetId, string Tag, int Start, int End)>(
                """select tweet_id, tag, start, "end" from public.hashtags order by tweet_id, position"""))
            .ToLookup(h => h.TweetId, h => (h.Tag, h.Start, h.End));
        var expectedTotal = 0;
        foreach (var envelope in envelopes)
        {
            var expected = envelope.Tweet.TryGetProperty("entities", out var entities) && entities.TryGetProperty("hashtags", out var hashtags)
                ? hashtags.EnumerateArray().Select(h => (h.GetProperty("tag").GetString()!, h.GetProperty("start").GetInt32(), h.GetProperty("end").GetInt32())).ToList()
                : [];
            expectedTotal += expected.Count;
            Assert.Equal(expected, stored[long.Parse(envelope.Id)]);
        }

        Assert.True(expectedTotal > 100, $"The page should exercise many hashtags; it has {expectedTotal}.");
    }

    [Fact]
    public async Task Handle_HashtagOffsets_ExtractFromFullText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        // Code points: U+1F600 is one code point but two UTF-16 units, so a UTF-16 offset would be off by one.
        var tweet = """{"id": "10", "text": "\uD83D\uDE00 #Brexit", "entities": {"hashtags": [{"start": 2, "end": 9, "tag": "Brexit"}]}}""";
        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet(tweet)));

        var extracted = await database.ScalarAsync<string>(
            """select substr(t.full_text, h.start + 1, h."end" - h.start) from public.hashtags h join public.tweets t on t.id = h.tweet_id""");
        Assert.Equal("#Brexit", extracted);
    }

    [Fact]
    public async Task Handle_LongPost_StoresNoteTextAndEntities()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var longText = new string('a', 300) + " #Tail";
        var tweet = new JsonObject
        {
            ["id"] = "11",
            ["text"] = new string('a', 275) + "… https://t.co/x",
            ["note_tweet"] = new JsonObject
            {
                ["text"] = longText,
                ["entities"] = new JsonObject { ["hashtags"] = new JsonArray(new JsonObject { ["start"] = 301, ["end"] = 306, ["tag"] = "Tail" }) },
            },
        };

        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet(tweet.ToJsonString())));

        var row = (await database.QueryAsync<(string Text, string FullText)>("select text, full_text from public.tweets")).Single();
        Assert.Equal(tweet["text"]!.GetValue<string>(), row.Text);
        Assert.Equal(longText, row.FullText);
        var extracted = await database.ScalarAsync<string>(
            """select substr(t.full_text, h.start + 1, h."end" - h.start) from public.hashtags h join public.tweets t on t.id = h.tweet_id""");
        Assert.Equal("#Tail", extracted);
    }

    [Fact]
    public async Task Handle_RedeliveredBatch_LeavesCountsUnchanged()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var messages = Envelopes.FromRecordedPages(Brexit).ToMessages();
        await database.HandleAsync(messages);
        var first = await database.CountRowsAsync();

        database.Clock.Advance(TimeSpan.FromMinutes(1));
        await database.HandleAsync(messages);

        Assert.Equal(first, await database.CountRowsAsync());
        Assert.True(first["hashtags"] > 0, "The batch should have stored hashtags.");
        Assert.True(first["mentions"] > 0, "The batch should have stored mentions.");
        Assert.True(first["referenced_tweets"] > 0, "The batch should have stored references.");
        Assert.True(first["urls"] > 0, "The batch should have stored urls.");
    }

    [Fact]
    public async Task Handle_OlderObservation_KeepsNewerMetrics()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var newer = TweetWithLikes("12", likes: 10, collectedAt: Envelopes.CollectedAt.AddHours(1));
        var older = TweetWithLikes("12", likes: 5, collectedAt: Envelopes.CollectedAt);

        await database.HandleAsync(Envelopes.Messages(1, newer));
        await database.HandleAsync(Envelopes.Messages(2, older));

        var row = (await database.QueryAsync<(long Likes, DateTime ObservedAt)>("select like_count, metrics_observed_at from public.tweets")).Single();
        Assert.Equal(10, row.Likes);
        Assert.Equal(newer.CollectedAt.UtcDateTime, row.ObservedAt);
    }

    [Fact]
    public async Task Handle_NewerObservation_UpdatesMetrics()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var older = TweetWithLikes("13", likes: 5, collectedAt: Envelopes.CollectedAt);
        var newer = TweetWithLikes("13", likes: 10, collectedAt: Envelopes.CollectedAt.AddHours(1));

        await database.HandleAsync(Envelopes.Messages(1, older));
        database.Clock.Advance(TimeSpan.FromMinutes(1));
        await database.HandleAsync(Envelopes.Messages(2, newer));

        var row = (await database.QueryAsync<(long Likes, DateTime ObservedAt, DateTime FirstStoredAt, DateTime UpdatedAt)>(
            "select like_count, metrics_observed_at, first_stored_at, updated_at from public.tweets")).Single();
        Assert.Equal(10, row.Likes);
        Assert.Equal(newer.CollectedAt.UtcDateTime, row.ObservedAt);
        Assert.Equal(row.FirstStoredAt.AddMinutes(1), row.UpdatedAt);
    }

    [Fact]
    public async Task Handle_NewerObservation_ReplacesHashtags()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var older = Envelopes.FromTweet("""{"id": "14", "text": "#a #b", "entities": {"hashtags": [{"tag": "a"}, {"tag": "b"}]}}""");
        var newer = Envelopes.FromTweet("""{"id": "14", "text": "#c", "entities": {"hashtags": [{"tag": "c"}]}}""", collectedAt: Envelopes.CollectedAt.AddHours(1));
        var stale = Envelopes.FromTweet("""{"id": "14", "text": "#d", "entities": {"hashtags": [{"tag": "d"}]}}""", collectedAt: Envelopes.CollectedAt.AddMinutes(30));

        await database.HandleAsync(Envelopes.Messages(1, older));
        await database.HandleAsync(Envelopes.Messages(2, newer));
        await database.HandleAsync(Envelopes.Messages(3, stale));

        Assert.Equal(["c"], await database.QueryAsync<string>("select tag from public.hashtags"));
        Assert.Equal("#c", await database.ScalarAsync<string>("select text from public.tweets"));
    }

    [Fact]
    public async Task Handle_SameIdTwiceInBatch_StoresOneRow()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var first = TweetWithLikes("15", likes: 1, collectedAt: Envelopes.CollectedAt);
        var other = TweetWithLikes("16", likes: 7, collectedAt: Envelopes.CollectedAt);
        var second = TweetWithLikes("15", likes: 2, collectedAt: Envelopes.CollectedAt.AddMinutes(1));

        var failures = await database.HandleAsync(Envelopes.Messages(1, first, other, second));

        Assert.Empty(failures);
        var rows = await database.QueryAsync<(long Id, long Likes)>("select id, like_count from public.tweets order by id");
        Assert.Equal([(15L, 2L), (16L, 7L)], rows);
    }

    [Fact]
    public async Task Handle_SameIdOwnAndReferenced_KeepsOwnMessage()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        // Four tweets of the page are in its data and in the includes of retweets in the same page.
        var envelopes = Envelopes.FromRecordedPages(Brexit);
        var both = envelopes.Select(e => e.Id).Intersect(envelopes.SelectMany(e => e.ReferencedTweets).Where(r => r.Tweet is not null).Select(r => r.Id)).ToList();

        await database.HandleAsync(envelopes.ToMessages());

        Assert.NotEmpty(both);
        var referencedOnly = await database.QueryAsync<bool>("select referenced_only from public.tweets where id = any (@Ids)", new { Ids = both.Select(long.Parse).ToArray() });
        Assert.Equal(both.Count, referencedOnly.Count);
        Assert.All(referencedOnly, Assert.False);
    }

    [Fact]
    public async Task Handle_ReferencedEnvelope_StaysReferencedUntilMatched()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelope = Envelopes.FromRecordedPages(Brexit)[0];

        await database.HandleAsync(Envelopes.Messages(1, envelope with { Referenced = true }));
        var beforeMatch = await database.ScalarAsync<bool>("select referenced_only from public.tweets where id = @Id", new { Id = long.Parse(envelope.Id, CultureInfo.InvariantCulture) });
        await database.HandleAsync(Envelopes.Messages(2, envelope));
        var afterMatch = await database.ScalarAsync<bool>("select referenced_only from public.tweets where id = @Id", new { Id = long.Parse(envelope.Id, CultureInfo.InvariantCulture) });

        Assert.True(beforeMatch);
        Assert.False(afterMatch);
    }

    [Fact]
    public async Task Handle_Retweet_StoresOriginalFullText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var retweet = Envelopes.FromRecordedPages(Brexit)
            .First(e => e.ReferencedTweets is [{ Type: "retweeted", Tweet: not null }]);
        var original = retweet.ReferencedTweets[0];

        await database.HandleAsync(Envelopes.Messages(1, retweet));

        var row = (await database.QueryAsync<(string FullText, bool ReferencedOnly, string? Username)>(
            """
            select o.full_text, o.referenced_only, u.username
              from public.referenced_tweets r
              join public.tweets o on o.id = r.referenced_id
              left join public.users u on u.id = o.author_id
             where r.tweet_id = @Id and r.type = 'retweeted'
            """,
            new { Id = long.Parse(retweet.Id) })).Single();
        Assert.Equal(original.Tweet!.Value.GetProperty("text").GetString(), row.FullText);
        Assert.True(row.ReferencedOnly);
        Assert.Equal(original.Author!.Value.GetProperty("username").GetString(), row.Username);
    }

    [Fact]
    public async Task Handle_OriginalAfterRetweet_ClearsReferencedOnly()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var retweet = Envelopes.FromRecordedPages(Brexit, Envelopes.CollectedAt.AddHours(1))
            .First(e => e.ReferencedTweets is [{ Type: "retweeted", Tweet: not null }]);
        var reference = retweet.ReferencedTweets[0];
        var original = Envelopes.FromTweet(reference.Tweet!.Value.GetRawText(), reference.Author!.Value.GetRawText(), Envelopes.CollectedAt);

        await database.HandleAsync(Envelopes.Messages(1, retweet));
        await database.HandleAsync(Envelopes.Messages(2, original));

        var referencedOnly = await database.ScalarAsync<bool>("select referenced_only from public.tweets where id = @Id", new { Id = long.Parse(original.Id) });
        Assert.False(referencedOnly);
    }

    [Theory]
    [InlineData("bad JSON")]
    [InlineData("no tweet")]
    [InlineData("no id")]
    [InlineData("no text")]
    [InlineData("invalid created_at")]
    [InlineData("no collected_at")]
    [InlineData("envelope id differs")]
    public async Task Handle_InvalidMessage_ReturnsFailureStoresOthers(string defect)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var good = TweetWithLikes("20", likes: 1, collectedAt: Envelopes.CollectedAt);
        var valid = TweetWithLikes("21", likes: 1, collectedAt: Envelopes.CollectedAt);
        var payload = defect switch
        {
            "bad JSON" => """{"id": "21", "tweet": {""",
            "no tweet" => """{"id": "21", "source": {"kind": "replay", "name": "test"}, "collected_at": "2021-09-22T16:40:00Z"}""",
            "no id" => valid.WithTweet(t => t.Remove("id")).ToJson(),
            "no text" => valid.WithTweet(t => t.Remove("text")).ToJson(),
            "invalid created_at" => valid.WithTweet(t => t["created_at"] = "yesterday").ToJson(),
            "no collected_at" => WithoutProperty(valid.ToJson(), "collected_at"),
            "envelope id differs" => (valid with { Id = "22" }).ToJson(),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
        var messages = new[] { Envelopes.Message(1, good.ToJson()), Envelopes.Message(2, payload), Envelopes.Message(3, TweetWithLikes("23", 1, Envelopes.CollectedAt).ToJson()) };

        var failures = await database.HandleAsync(messages);

        var failure = Assert.Single(failures);
        Assert.Equal(2, failure.MessageId);
        Assert.StartsWith("Invalid tweet envelope or deletion: ", failure.Error, StringComparison.Ordinal);
        Assert.Equal([20L, 23L], await database.QueryAsync<long>("select id from public.tweets order by id"));
    }

    [Fact]
    public async Task Handle_AdjacentLargeIds_StoresBothExactly()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        // Above 2^53, a double cannot tell these two ids apart.
        var envelopes = new[]
        {
            Envelopes.FromTweet("""{"id": "732822797798539264", "text": "a", "author_id": "732822797798539265", "edit_history_tweet_ids": ["732822797798539264"]}"""),
            Envelopes.FromTweet("""{"id": "732822797798539265", "text": "b", "conversation_id": "732822797798539264", "edit_history_tweet_ids": ["732822797798539264", "732822797798539265"]}"""),
        };

        await database.HandleAsync(envelopes.ToMessages());

        var rows = await database.QueryAsync<(string Id, string? AuthorId, string? ConversationId, string EditHistory)>(
            "select id::text, author_id::text, conversation_id::text, edit_history_ids::text from public.tweets order by id");
        Assert.Equal(
            [
                ("732822797798539264", "732822797798539265", null, "{732822797798539264}"),
                ("732822797798539265", null, "732822797798539264", "{732822797798539264,732822797798539265}"),
            ],
            rows);
    }

    [Fact]
    public async Task Handle_NullCharacters_StoresReplacement()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var tweet = """{"id": "30", "text": "a\u0000b", "entities": {"urls": [{"url": "https://t.co/x", "title": "x\u0000y"}]}}""";
        var author = """{"id": "31", "username": "u", "description": "d\u0000"}""";

        var failures = await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet(tweet, author)));

        Assert.Empty(failures);
        Assert.Equal("a\uFFFDb", await database.ScalarAsync<string>("select text from public.tweets"));
        Assert.Equal("a\uFFFDb", await database.ScalarAsync<string>("select raw ->> 'text' from public.tweets"));
        Assert.Equal("x\uFFFDy", await database.ScalarAsync<string>("select raw #>> '{entities,urls,0,title}' from public.tweets"));
        Assert.Equal("x\uFFFDy", await database.ScalarAsync<string>("select title from public.urls"));
        Assert.Equal("d\uFFFD", await database.ScalarAsync<string>("select description from public.users"));
        Assert.Equal("d\uFFFD", await database.ScalarAsync<string>("select raw ->> 'description' from public.users"));
    }

    [Fact]
    public async Task Handle_OlderUserObservation_KeepsNewerProfile()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var newer = Envelopes.FromTweet("""{"id": "40", "text": "a", "author_id": "41"}""", """{"id": "41", "username": "new_name"}""", Envelopes.CollectedAt.AddHours(1));
        var older = Envelopes.FromTweet("""{"id": "42", "text": "b", "author_id": "41"}""", """{"id": "41", "username": "old_name"}""", Envelopes.CollectedAt);

        await database.HandleAsync(Envelopes.Messages(1, newer));
        await database.HandleAsync(Envelopes.Messages(2, older));

        Assert.Equal("new_name", await database.ScalarAsync<string>("select username from public.users"));
    }

    [Fact]
    public async Task Handle_DatabaseUnreachable_ThrowsTransient()
    {
        // Port 1 on the loopback interface refuses connections, as a database that is down does.
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=u;Password=p;Timeout=5");
        var handler = new TweetBatchHandler(
            new TweetStore(dataSource, TimeProvider.System, new TweetSentimentScorer(VaderScorer.Default), Options.Create(new DeletionOptions())),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TweetBatchHandler>.Instance);

        var exception = await Assert.ThrowsAnyAsync<Exception>(
            () => handler.HandleAsync(Envelopes.Messages(1, TweetWithLikes("50", 1, Envelopes.CollectedAt)), TestContext.Current.CancellationToken));

        Assert.True(Transient.IsTransient(exception), $"Expected a transient error, got {exception}");
    }

    private static string WithoutProperty(string json, string name)
    {
        var envelope = JsonNode.Parse(json)!.AsObject();
        envelope.Remove(name);
        return envelope.ToJsonString();
    }

    private static TweetEnvelope TweetWithLikes(string id, long likes, DateTimeOffset collectedAt) => Envelopes.FromTweet(
        JsonSerializer.Serialize(new
        {
            id,
            text = $"tweet {id}",
            created_at = "2021-09-22T16:37:29.000Z",
            public_metrics = new { retweet_count = 0, reply_count = 0, like_count = likes, quote_count = 0 },
        }),
        collectedAt: collectedAt);
}
