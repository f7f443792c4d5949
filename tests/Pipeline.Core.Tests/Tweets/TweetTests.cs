using System.Text.Json;
using Pipeline.Core.Tweets;
using Pipeline.Testing;

namespace Pipeline.Core.Tests.Tweets;

public sealed class TweetTests
{
    [Fact]
    public void Parse_RecordedPage_KeepsIdsExact()
    {
        var ids = ReadTweets("docnow-twarc-csv/brexit.jsonl").Select(t => t.GetProperty("id").GetString()!).ToList();

        var parsed = ReadTweets("docnow-twarc-csv/brexit.jsonl").Select(Tweet.Parse).Select(t => t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(ids, parsed);
    }

    [Fact]
    public void Parse_AdjacentLargeIds_StayDistinct()
    {
        var first = Tweet.Parse(Json("""{"id":"732822797798539264","text":"a"}"""));
        var second = Tweet.Parse(Json("""{"id":732822797798539265,"text":"b"}"""));

        Assert.Equal(732822797798539264L, first.Id);
        Assert.Equal(732822797798539265L, second.Id);
    }

    [Fact]
    public void Parse_RecordedPage_KeepsEmojiIntact()
    {
        var tweets = ReadTweets("docnow-twarc-csv/kpop.jsonl").Select(Tweet.Parse).ToList();

        var withEmoji = tweets.Where(t => t.Text.EnumerateRunes().Any(r => r.Value >= 0x1F300)).ToList();

        Assert.NotEmpty(withEmoji);
        Assert.All(withEmoji, t => Assert.False(HasLoneSurrogate(t.Text)));
    }

    [Fact]
    public void Parse_NoteTweet_TakesFullText()
    {
        // No recorded page holds a long post, so this one is built after the API reference's shape.
        var tweet = Tweet.Parse(Json("""{"id":"1","text":"short…","note_tweet":{"text":"the whole long text"}}"""));

        Assert.Equal("short…", tweet.Text);
        Assert.Equal("the whole long text", tweet.FullText);
    }

    [Fact]
    public void Parse_NewestSpecSpellings_AreRead()
    {
        var tweet = Tweet.Parse(Json("""
            {"id":"2","text":"t","note_post":{"text":"long"},
             "referenced_posts":[{"type":"quoted","id":"1"}],
             "edit_history_post_ids":["1","2"]}
            """));

        Assert.Equal("long", tweet.FullText);
        Assert.Equal(new TweetReference("quoted", 1), Assert.Single(tweet.References));
        Assert.Equal([1L, 2L], tweet.EditHistoryIds);
    }

    [Fact]
    public void Parse_RetweetInRecordedPage_LinksOriginalFromIncludes()
    {
        var page = ReadPages("docnow-twarc-csv/kpop.jsonl").First();
        var included = page.GetProperty("includes").GetProperty("tweets").EnumerateArray()
            .Select(t => Tweet.Parse(t).Id)
            .ToHashSet();

        var retweet = page.GetProperty("data").EnumerateArray().Select(Tweet.Parse)
            .First(t => t.References.Any(r => r.Type == "retweeted"));

        Assert.Contains(retweet.References.Single(r => r.Type == "retweeted").Id, included);
    }

    [Fact]
    public void RetweetedId_Retweet_IsOriginalId()
    {
        var tweet = Tweet.Parse(Json("""{"id":"3","text":"RT @a: hi","referenced_tweets":[{"type":"retweeted","id":"1"}]}"""));

        Assert.Equal(1L, tweet.RetweetedId);
    }

    [Fact]
    public void RetweetedId_QuoteOrReply_IsNull()
    {
        var tweet = Tweet.Parse(Json("""{"id":"3","text":"t","referenced_tweets":[{"type":"quoted","id":"1"},{"type":"replied_to","id":"2"}]}"""));

        Assert.Null(tweet.RetweetedId);
    }

    [Fact]
    public void Parse_EditedTweet_ReadsEditHistory()
    {
        var tweet = ReadTweets("docnow-twarc-csv/edited.jsonl").Select(Tweet.Parse).First();

        Assert.Equal([1576994746135764992L, 1576994789110992896L], tweet.EditHistoryIds);
    }

    [Fact]
    public void Parse_RecordedPage_ReadsEntities()
    {
        var tweet = ReadTweets("docnow-twarc-csv/many_urls.jsonl").Select(Tweet.Parse).First();

        Assert.NotEmpty(tweet.Entities.Urls);
        Assert.All(tweet.Entities.Urls, u => Assert.StartsWith("https://t.co/", u.Url, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2021-08-06T23:10:01.000Z", "2021-08-06T23:10:01.0000000+00:00")]
    [InlineData("Wed May 24 20:17:19 +0000 2017", "2017-05-24T20:17:19.0000000+00:00")]
    [InlineData("Wed May 24 22:17:19 +0200 2017", "2017-05-24T20:17:19.0000000+00:00")]
    public void ParseTimestamp_BothApiForms_GiveUtcInstant(string text, string expected)
    {
        var parsed = ApiJson.ParseTimestamp(text);

        Assert.Equal(expected, parsed.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Fact]
    public void ParseTimestamp_Invalid_NamesValue()
    {
        var error = Assert.Throws<FormatException>(() => ApiJson.ParseTimestamp("yesterday"));

        Assert.Contains("'yesterday'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Envelope_RoundTrip_KeepsRawTweet()
    {
        var raw = Json("""{"id":"732822797798539265","text":"hi 😀 there","x.y":{"$type":1}}""");
        var envelope = new TweetEnvelope("732822797798539265", raw, null, [], [], [], [], null, new CollectionSource("replay", "sample"), DateTimeOffset.UnixEpoch);

        var back = TweetEnvelope.FromJson(envelope.ToJson());

        Assert.True(JsonElement.DeepEquals(raw, back.Tweet));
        Assert.Equal("hi 😀 there", back.Tweet.GetProperty("text").GetString());
        Assert.Equal("732822797798539265", back.Id);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static IEnumerable<JsonElement> ReadPages(string relativePath) =>
        File.ReadLines(TestData.Path(relativePath)).Select(line => JsonDocument.Parse(line).RootElement);

    private static IEnumerable<JsonElement> ReadTweets(string relativePath) =>
        ReadPages(relativePath).SelectMany(page => page.GetProperty("data") is { ValueKind: JsonValueKind.Array } data
            ? data.EnumerateArray().ToList()
            : new List<JsonElement> { page.GetProperty("data") });

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1])))
            {
                return true;
            }

            if (char.IsLowSurrogate(text[i]) && (i == 0 || !char.IsHighSurrogate(text[i - 1])))
            {
                return true;
            }
        }

        return false;
    }
}
