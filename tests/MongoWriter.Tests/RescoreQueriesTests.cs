using Pipeline.Core.Hosting;
using MongoDB.Bson;
using Pipeline.MongoWriter.Rescore;
using Pipeline.Vader;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The selection and update of <c>mongo-writer rescore</c>, without a server.</summary>
public sealed class RescoreQueriesTests
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    [Fact]
    public void OutdatedFilter_FirstBatch_SelectsOtherVersions()
    {
        var filter = RescoreQueries.OutdatedFilter("v2", afterId: null);

        Assert.Equal(new BsonDocument("sentiment.lexicon_version", new BsonDocument("$ne", "v2")), filter);
    }

    [Fact]
    public void OutdatedFilter_LaterBatch_StartsAfterId()
    {
        var filter = RescoreQueries.OutdatedFilter("v2", afterId: "1440716895355764743");

        Assert.Equal(new BsonDocument("$gt", "1440716895355764743"), filter["_id"]);
        Assert.Equal(new BsonDocument("$ne", "v2"), filter["sentiment.lexicon_version"]);
    }

    [Fact]
    public void Update_SkipsDocumentsAlreadyCurrent()
    {
        var sentiment = new BsonDocument("compound", 0.5);

        var update = RescoreQueries.Update("42", sentiment, "v2");

        Assert.Equal(new BsonDocument { { "_id", "42" }, { "sentiment.lexicon_version", new BsonDocument("$ne", "v2") } }, Render(update.Filter));
        Assert.Equal(new BsonDocument("$set", new BsonDocument("sentiment", sentiment)), Render(update.Update));
        Assert.False(update.IsUpsert);
    }

    [Fact]
    public void ScoredText_Retweet_IsOriginalFullText()
    {
        var envelope = RecordedPages.Read(Brexit).First(e => e.ReferencedTweets.Any(r => r.Type == "retweeted" && r.Tweet is not null));
        var document = TweetDocumentMapper.MapTweet(envelope);

        var (text, source) = RescoreQueries.ScoredText(document);

        var original = document["referenced_tweets"].AsBsonArray.OfType<BsonDocument>().First(r => r["type"] == "retweeted")["tweet"]["full_text"].AsString;
        Assert.Equal(original, text);
        Assert.Equal(TweetDocumentMapper.RetweetedOriginalSource, source);
    }

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void Rescore_RecordedTweets_MatchesWriterScores(string file)
    {
        foreach (var envelope in RecordedPages.Read(file))
        {
            var document = TweetDocumentMapper.MapTweet(envelope);

            var (text, source) = RescoreQueries.ScoredText(document);

            Assert.Equal(document["sentiment"], TweetDocumentMapper.MapScores(text, source));
        }
    }

    [Fact]
    public void ScoredText_StrippedOriginal_IsOwnFullText()
    {
        var document = new BsonDocument
        {
            { "_id", "2" },
            { "text", "RT @a: cut" },
            { "full_text", "RT @a: cut" },
            { "referenced_tweets", new BsonArray { new BsonDocument { { "type", "retweeted" }, { "id", "1" }, { "tweet", BsonNull.Value } } } },
        };

        Assert.Equal(("RT @a: cut", TweetDocumentMapper.FullTextSource), RescoreQueries.ScoredText(document));
    }

    [Fact]
    public void ScoredText_NoFullText_IsText()
    {
        var document = new BsonDocument { { "_id", "3" }, { "text", "only text" } };

        Assert.Equal(("only text", TweetDocumentMapper.FullTextSource), RescoreQueries.ScoredText(document));
    }

    [Fact]
    public void MapScores_CarriesRunningLexiconVersion()
    {
        Assert.Equal(VaderScorer.Default.LexiconVersion, TweetDocumentMapper.MapScores("good", TweetDocumentMapper.FullTextSource)["lexicon_version"].AsString);
    }

    [Theory]
    [InlineData(0, "00:00:10", "Rescore:BatchSize is 0")]
    [InlineData(100_001, "00:00:10", "Rescore:BatchSize is 100001")]
    [InlineData(10, "00:00:00", "Rescore:ProgressInterval is 00:00:00")]
    public void Validate_InvalidSetting_NamesIt(int batchSize, string interval, string expected)
    {
        var options = new RescoreOptions { BatchSize = batchSize, ProgressInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new RescoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    private static BsonDocument Render(MongoDB.Driver.FilterDefinition<BsonDocument> filter) =>
        ((MongoDB.Driver.BsonDocumentFilterDefinition<BsonDocument>)filter).Document;

    private static BsonDocument Render(MongoDB.Driver.UpdateDefinition<BsonDocument> update) =>
        ((MongoDB.Driver.BsonDocumentUpdateDefinition<BsonDocument>)update).Document;
}
