using System.Globalization;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>The analyst views and the top_tweets function of migration 0005.</summary>
[Collection(UsesPostgres.Name)]
public sealed class ViewTests(PostgresFixture fixture)
{
    [Fact]
    public async Task HashtagCountsHourly_BrexitPage_MatchesSource()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages("docnow-twarc-csv/brexit.jsonl");
        await database.HandleAsync(envelopes.ToMessages());

        var rows = await database.QueryAsync<(DateTime Hour, string Tag, long Tweets)>("select hour, tag, tweets from public.hashtag_counts_hourly order by hour, tag");

        var expected = envelopes
            .Select(e => Tweet.Parse(e.Tweet))
            .SelectMany(t => t.Entities.Hashtags.Select(h => h.Tag.ToLowerInvariant()).Distinct().Select(tag => (
                Hour: new DateTime(t.CreatedAt!.Value.UtcDateTime.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, DateTimeKind.Utc),
                Tag: tag)))
            .GroupBy(x => x)
            .Select(g => (g.Key.Hour, g.Key.Tag, Tweets: (long)g.Count()))
            .OrderBy(x => x.Hour).ThenBy(x => x.Tag, StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, rows.OrderBy(x => x.Hour).ThenBy(x => x.Tag, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task HashtagCountsHourly_EditedPost_CountsOnce()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var original = Envelopes.FromTweet("""{"id": "100", "text": "#Pg", "created_at": "2023-01-01T10:05:00.000Z", "edit_history_tweet_ids": ["100"], "entities": {"hashtags": [{"start": 0, "end": 3, "tag": "Pg"}]}}""");
        var edit = Envelopes.FromTweet("""{"id": "101", "text": "#pg #pg", "created_at": "2023-01-01T10:09:00.000Z", "edit_history_tweet_ids": ["100", "101"], "entities": {"hashtags": [{"start": 0, "end": 3, "tag": "pg"}, {"start": 4, "end": 7, "tag": "pg"}]}}""");
        var other = Envelopes.FromTweet("""{"id": "102", "text": "#PG", "created_at": "2023-01-01T10:59:59.000Z", "entities": {"hashtags": [{"start": 0, "end": 3, "tag": "PG"}]}}""");

        await database.HandleAsync(Envelopes.Messages(1, original, edit, other));

        var row = Assert.Single(await database.QueryAsync<(DateTime Hour, string Tag, long Tweets)>("select hour, tag, tweets from public.hashtag_counts_hourly"));
        Assert.Equal((new DateTime(2023, 1, 1, 10, 0, 0, DateTimeKind.Utc), "pg", 2L), row);
    }

    [Fact]
    public async Task TopTweets_Window_RanksByEngagement()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(
            1,
            WithMetrics("300", "2023-05-01T12:00:00.000Z", likes: 10, retweets: 5),
            WithMetrics("301", "2023-05-01T13:00:00.000Z", likes: 100, retweets: 0),
            WithMetrics("302", "2023-05-01T14:00:00.000Z", likes: 1, retweets: 1),
            // Outside the window.
            WithMetrics("303", "2023-05-03T00:00:00.000Z", likes: 1000, retweets: 0),
            // A retweet carries its original's counts and is left out.
            WithMetrics("304", "2023-05-01T15:00:00.000Z", likes: 500, retweets: 0, """, "referenced_tweets": [{"type": "retweeted", "id": "301"}]""")));

        var rows = await database.QueryAsync<(long Id, long Engagement)>(
            "select id, engagement from public.top_tweets('2023-05-01T00:00:00Z', '2023-05-02T00:00:00Z', 2)");

        Assert.Equal([(301L, 100L), (300L, 15L)], rows);
    }

    [Fact]
    public async Task TopTweets_DeletedTweet_IsLeftOut()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(
            1,
            WithMetrics("310", "2023-05-01T12:00:00.000Z", likes: 10, retweets: 0),
            WithMetrics("311", "2023-05-01T13:00:00.000Z", likes: 100, retweets: 0)));
        await database.HandleAsync([Envelopes.Message(3, new TweetDeletion("311", "deleted", new CollectionSource("compliance", "job"), DateTimeOffset.UnixEpoch).ToJson())]);

        var ids = await database.QueryAsync<long>("select id from public.top_tweets('2023-05-01T00:00:00Z', '2023-05-02T00:00:00Z')");

        Assert.Equal([310L], ids);
    }

    [Fact]
    public async Task TweetsWithAuthors_Engagement_SumsCounts()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelope = Envelopes.FromTweet("""{"id": "320", "text": "x", "public_metrics": {"like_count": 4, "retweet_count": 3, "reply_count": 2, "quote_count": 1}}""");

        await database.HandleAsync(Envelopes.Messages(1, envelope));

        Assert.Equal(10, await database.ScalarAsync<long>("select engagement from public.tweets_with_authors"));
    }

    [Fact]
    public async Task ReplyThreads_Conversation_LinksParentsAndDepths()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(
            1,
            Reply("200", null),
            Reply("201", "200"),
            Reply("202", "201"),
            Reply("203", "200"),
            // 204 was never collected, so 205 starts a chain of its own.
            Reply("205", "204"),
            Reply("206", "205")));

        var rows = await database.QueryAsync<(long ConversationId, bool ReachesRoot, long StartId, long TweetId, long? ParentId, int Depth)>(
            "select conversation_id, reaches_root, start_id, tweet_id, parent_id, depth from public.reply_threads order by tweet_id");

        Assert.Equal(
            [
                (200L, true, 200L, 200L, (long?)null, 0),
                (200L, true, 200L, 201L, 200L, 1),
                (200L, true, 200L, 202L, 201L, 2),
                (200L, true, 200L, 203L, 200L, 1),
                (200L, false, 205L, 205L, 204L, 0),
                (200L, false, 205L, 206L, 205L, 1),
            ],
            rows);
    }

    [Fact]
    public async Task ReplyThreads_BrexitPage_ParentsStored()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.FromRecordedPages("docnow-twarc-csv/brexit.jsonl").ToMessages());

        var rows = await database.QueryAsync<(long TweetId, long? ParentId, int Depth, bool ParentStored)>(
            """
            select r.tweet_id, r.parent_id, r.depth, exists (select 1 from public.tweets t where t.id = r.parent_id)
              from public.reply_threads r
            """);

        Assert.Contains(rows, r => r.Depth > 0);
        Assert.All(rows.Where(r => r.Depth > 0), r => Assert.True(r.ParentStored, $"Tweet {r.TweetId} has depth {r.Depth} but its parent {r.ParentId} is not stored."));
        Assert.Equal(rows.Count, rows.Select(r => r.TweetId).Distinct().Count());
    }

    private static TweetEnvelope WithMetrics(string id, string createdAt, long likes, long retweets, string extra = "") =>
        Envelopes.FromTweet(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"id": "{{id}}", "text": "t", "created_at": "{{createdAt}}", "public_metrics": {"like_count": {{likes}}, "retweet_count": {{retweets}}, "reply_count": 0, "quote_count": 0}{{extra}}}"""));

    private static TweetEnvelope Reply(string id, string? parentId)
    {
        var reference = parentId is null ? "" : $$""", "referenced_tweets": [{"type": "replied_to", "id": "{{parentId}}"}]""";
        return Envelopes.FromTweet($$"""{"id": "{{id}}", "text": "r", "conversation_id": "200"{{reference}}}""");
    }
}
