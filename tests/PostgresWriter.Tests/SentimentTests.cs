using System.Text.Json.Nodes;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Pipeline.Vader;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>The sentiment scores that the writer stores with every tweet it writes.</summary>
[Collection(UsesPostgres.Name)]
public sealed class SentimentTests(PostgresFixture fixture)
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    // Neutral words first, so that the cut text of a long post or a retweet scores 0 and only the
    // whole text reaches the positive sentence at the end.
    internal static readonly string LongText =
        string.Concat(Enumerable.Repeat("The committee met on Tuesday in the town hall. ", 7)) + "Honestly, this is wonderful news and I love it!";

    [Fact]
    public async Task Handle_BrexitPage_ScoresEveryStoredTweet()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.FromRecordedPages(Brexit).ToMessages());

        var tweetIds = await database.QueryAsync<long>("select id from public.tweets order by id");
        var scoredIds = await database.QueryAsync<long>("select tweet_id from public.tweet_sentiment order by tweet_id");
        Assert.Equal(tweetIds, scoredIds);
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresVaderScores()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);
        var expected = ExpectedSentiment.ScoredTexts(envelopes);

        await database.HandleAsync(envelopes.ToMessages());

        var stored = await database.ReadSentimentAsync();
        Assert.Equal(expected.Count, stored.Count);
        foreach (var (id, (text, source)) in expected)
        {
            var scores = ExpectedSentiment.Score(text);
            var row = stored[id];
            Assert.Equal(scores, row.Scores);
            Assert.Equal(ExpectedSentiment.Label(scores), row.Label);
            Assert.Equal(source, row.ScoredTextSource);
            Assert.Equal(VaderScorer.Default.LexiconVersion, row.LexiconVersion);
            Assert.Equal(database.Clock.GetUtcNow().UtcDateTime, row.ScoredAt);
        }

        // The page should exercise retweets and all three labels.
        Assert.Contains(stored.Values, r => r.ScoredTextSource == "retweeted_original");
        Assert.Contains(stored.Values, r => r.Label == "positive");
        Assert.Contains(stored.Values, r => r.Label == "negative");
        Assert.Contains(stored.Values, r => r.Label == "neutral");
    }

    [Fact]
    public async Task Handle_RecordedRetweet_ScoresOriginalText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var retweet = Envelopes.FromRecordedPages(Brexit)
            .First(e => e.ReferencedTweets is [{ Type: "retweeted", Tweet: not null }]
                && ExpectedSentiment.Score(e.Tweet.GetProperty("text").GetString()!) != ExpectedSentiment.Score(ExpectedSentiment.FullText(e.ReferencedTweets[0].Tweet!.Value)));

        await database.HandleAsync(Envelopes.Messages(1, retweet));

        var row = (await database.ReadSentimentAsync())[long.Parse(retweet.Id)];
        Assert.Equal(ExpectedSentiment.Score(ExpectedSentiment.FullText(retweet.ReferencedTweets[0].Tweet!.Value)), row.Scores);
        Assert.Equal("retweeted_original", row.ScoredTextSource);
    }

    [Fact]
    public async Task Handle_RetweetOfLongPost_ScoresOriginalFullText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var retweet = RetweetOfLongPost(Envelopes.CollectedAt, includeOriginal: true);
        var ownText = retweet.Tweet.GetProperty("text").GetString()!;

        await database.HandleAsync(Envelopes.Messages(1, retweet));

        var stored = await database.ReadSentimentAsync();
        Assert.NotEqual(ExpectedSentiment.Score(ownText), ExpectedSentiment.Score(LongText));
        Assert.Equal(ExpectedSentiment.Score(LongText), stored[102].Scores);
        Assert.Equal("retweeted_original", stored[102].ScoredTextSource);
        Assert.Equal(ExpectedSentiment.Score(LongText), stored[101].Scores);
        Assert.Equal("full_text", stored[101].ScoredTextSource);
    }

    [Fact]
    public async Task Handle_RetweetWithoutOriginal_ScoresOwnText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var retweet = RetweetOfLongPost(Envelopes.CollectedAt, includeOriginal: false);

        await database.HandleAsync(Envelopes.Messages(1, retweet));

        var row = Assert.Single((await database.ReadSentimentAsync()).Values);
        Assert.Equal(ExpectedSentiment.Score(retweet.Tweet.GetProperty("text").GetString()!), row.Scores);
        Assert.Equal("full_text", row.ScoredTextSource);
    }

    [Fact]
    public async Task Handle_LaterRetweetWithoutOriginal_KeepsOriginalScore()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, RetweetOfLongPost(Envelopes.CollectedAt, includeOriginal: true)));
        await database.HandleAsync(Envelopes.Messages(2, RetweetOfLongPost(Envelopes.CollectedAt.AddHours(1), includeOriginal: false)));

        var row = (await database.ReadSentimentAsync())[102];
        Assert.Equal(ExpectedSentiment.Score(LongText), row.Scores);
        Assert.Equal("retweeted_original", row.ScoredTextSource);
    }

    [Fact]
    public async Task Handle_RetweetTwiceInBatch_KeepsOriginalScore()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var withOriginal = RetweetOfLongPost(Envelopes.CollectedAt, includeOriginal: true);
        var newerWithout = RetweetOfLongPost(Envelopes.CollectedAt.AddHours(1), includeOriginal: false);

        await database.HandleAsync(Envelopes.Messages(1, withOriginal, newerWithout));

        var row = (await database.ReadSentimentAsync())[102];
        Assert.Equal(ExpectedSentiment.Score(LongText), row.Scores);
        Assert.Equal("retweeted_original", row.ScoredTextSource);
    }

    [Fact]
    public async Task Handle_LongPost_ScoresNoteText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var tweet = new JsonObject
        {
            ["id"] = "11",
            ["text"] = LongText[..270] + "… https://t.co/x",
            ["note_tweet"] = new JsonObject { ["text"] = LongText },
        };

        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet(tweet.ToJsonString())));

        var row = Assert.Single((await database.ReadSentimentAsync()).Values);
        Assert.NotEqual(ExpectedSentiment.Score(tweet["text"]!.GetValue<string>()), row.Scores);
        Assert.Equal(ExpectedSentiment.Score(LongText), row.Scores);
    }

    [Fact]
    public async Task Handle_RedeliveredBatch_LeavesOneRowPerTweet()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);
        var messages = envelopes.ToMessages();
        await database.HandleAsync(messages);
        var first = await database.ReadSentimentAsync();

        database.Clock.Advance(TimeSpan.FromMinutes(1));
        await database.HandleAsync(messages);

        var second = await database.ReadSentimentAsync();
        Assert.Equal(ExpectedSentiment.ScoredTexts(envelopes).Count, second.Count);
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        Assert.All(second.Values, row => Assert.Equal(first[row.TweetId].Scores, row.Scores));
        Assert.All(second.Values, row => Assert.Equal(database.Clock.GetUtcNow().UtcDateTime, row.ScoredAt));
    }

    [Fact]
    public async Task Handle_NewerObservation_RescoresText()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var older = Envelopes.FromTweet("""{"id": "14", "text": "I hate this"}""");
        var newer = Envelopes.FromTweet("""{"id": "14", "text": "I love this"}""", collectedAt: Envelopes.CollectedAt.AddHours(1));

        await database.HandleAsync(Envelopes.Messages(1, older));
        await database.HandleAsync(Envelopes.Messages(2, newer));

        var row = Assert.Single((await database.ReadSentimentAsync()).Values);
        Assert.Equal(ExpectedSentiment.Score("I love this"), row.Scores);
        Assert.Equal("positive", row.Label);
    }

    [Fact]
    public async Task Handle_OlderObservation_KeepsNewerScores()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var newer = Envelopes.FromTweet("""{"id": "14", "text": "I love this"}""", collectedAt: Envelopes.CollectedAt.AddHours(1));
        var older = Envelopes.FromTweet("""{"id": "14", "text": "I hate this"}""");

        await database.HandleAsync(Envelopes.Messages(1, newer));
        await database.HandleAsync(Envelopes.Messages(2, older));

        var row = Assert.Single((await database.ReadSentimentAsync()).Values);
        Assert.Equal(ExpectedSentiment.Score("I love this"), row.Scores);
    }

    [Fact]
    public async Task View_StoredTweets_ShowsScores()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.FromRecordedPages(Brexit).ToMessages());

        var viewRows = await database.QueryAsync<(long Id, double? Negative, double? Neutral, double? Positive, double? Compound, string? Label)>(
            """
            select id, sentiment_negative, sentiment_neutral, sentiment_positive, sentiment_compound, sentiment_label
              from public.tweets_with_authors
            """);

        var stored = await database.ReadSentimentAsync();
        Assert.Equal(stored.Count, viewRows.Count);
        foreach (var row in viewRows)
        {
            var expected = stored[row.Id];
            Assert.Equal((expected.Negative, expected.Neutral, expected.Positive, expected.Compound), (row.Negative, row.Neutral, row.Positive, row.Compound));
            Assert.Equal(expected.Label, row.Label);
        }
    }

    [Fact]
    public async Task View_UnscoredTweet_ShowsNullScores()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet("""{"id": "14", "text": "I love this"}""")));
        await database.ScalarAsync<int>("delete from public.tweet_sentiment");

        var row = (await database.QueryAsync<(double? Compound, string? Label)>("select sentiment_compound, sentiment_label from public.tweets_with_authors")).Single();

        Assert.Null(row.Compound);
        Assert.Null(row.Label);
    }

    [Fact]
    public async Task DeleteTweet_StoredScores_AreDeleted()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet("""{"id": "14", "text": "I love this"}""")));

        await database.ScalarAsync<int>("delete from public.tweets where id = 14");

        Assert.Empty(await database.ReadSentimentAsync());
    }

    /// <summary>
    /// Builds retweet 102 of long post 101, whose whole text is <see cref="LongText"/>. The
    /// retweet's own text is cut in the neutral part, as the API cuts it.
    /// </summary>
    internal static TweetEnvelope RetweetOfLongPost(DateTimeOffset collectedAt, bool includeOriginal)
    {
        var original = new JsonObject
        {
            ["id"] = "101",
            ["text"] = LongText[..270] + "… https://t.co/x",
            ["note_tweet"] = new JsonObject { ["text"] = LongText },
        };
        var retweet = new JsonObject
        {
            ["id"] = "102",
            ["text"] = "RT @author: " + LongText[..120] + "…",
            ["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = "retweeted", ["id"] = "101" }),
        };

        var envelope = Envelopes.FromTweet(retweet.ToJsonString(), collectedAt: collectedAt);
        return includeOriginal ? envelope.WithReferencedTweet("retweeted", original.ToJsonString()) : envelope;
    }
}
