using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Pages;
using Xunit;

namespace Pipeline.GetTweets.Tests;

public sealed class ApiPageTests
{
    private static readonly CollectionSource Source = new("replay", "test");
    private static readonly DateTimeOffset CollectedAt = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData("brexit.jsonl")]
    [InlineData("kpop.jsonl")]
    [InlineData("edited.jsonl")]
    [InlineData("geo_tweets.jsonl")]
    [InlineData("media_tweet.jsonl")]
    [InlineData("two_tweets.jsonl")]
    public void Parse_RecordedFile_YieldsEachDistinctIdOnce(string fileName)
    {
        var ids = RecordedPages.Lines(fileName).SelectMany(line => Parse(line).Tweets.Select(t => t.Id)).ToList();

        var expected = RecordedPages.DistinctTweetIds(fileName);
        Assert.Equal(expected.Order(), ids.Distinct().Order());
        Assert.Equal(ids.Distinct().Count(), ids.Count);
    }

    [Fact]
    public void Parse_LargeIds_StayExact()
    {
        var page = Parse(RecordedPages.Lines("brexit.jsonl")[0]);

        var rawIds = RecordedPages.DistinctTweetIds("brexit.jsonl");
        // A double represents integers exactly only up to 2^53. These ids are around 2^60, and most
        // would change if read through a double.
        Assert.Contains(rawIds, id => id != ((long)(double)long.Parse(id, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(rawIds.Order(), page.Tweets.Select(t => t.Id).Order());
        Assert.All(page.Tweets, t => Assert.Equal(t.Id, t.Tweet.GetProperty("id").GetString()));
    }

    [Fact]
    public void Parse_EmojiText_SurvivesQueueRoundTrip()
    {
        var line = RecordedPages.Lines("kpop.jsonl")[0];
        var rawTweet = RecordedPages.TweetsOf(JsonNode.Parse(line)!.AsObject())
            .First(t => t["text"]!.GetValue<string>().Any(char.IsSurrogate));
        var rawText = rawTweet["text"]!.GetValue<string>();

        var envelope = Parse(line).Tweets.Single(t => t.Id == rawTweet["id"]!.GetValue<string>());
        var roundTripped = TweetEnvelope.FromJson(envelope.ToJson());

        Assert.Equal(rawText, roundTripped.Tweet.GetProperty("text").GetString());
    }

    [Fact]
    public void Parse_IncludedTweets_MarkedReferenced()
    {
        var line = RecordedPages.Lines("brexit.jsonl")[0];
        var pageNode = JsonNode.Parse(line)!.AsObject();
        var dataIds = pageNode["data"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToHashSet();

        var envelopes = Parse(line).Tweets;

        var included = envelopes.Where(e => !dataIds.Contains(e.Id)).ToList();
        Assert.NotEmpty(included);
        Assert.All(included, e => Assert.True(e.Referenced));
        Assert.All(envelopes.Where(e => dataIds.Contains(e.Id)), e => Assert.False(e.Referenced));
        Assert.Contains("\"referenced\":true", included[0].ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"referenced\"", envelopes.First(e => dataIds.Contains(e.Id)).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Retweet_ResolvesOriginalFromIncludes()
    {
        var line = RecordedPages.Lines("brexit.jsonl")[0];
        var pageNode = JsonNode.Parse(line)!.AsObject();
        var retweet = pageNode["data"]!.AsArray().Select(t => t!.AsObject())
            .First(t => t["referenced_tweets"] is JsonArray refs && refs.Any(r => r!["type"]!.GetValue<string>() == "retweeted"));
        var originalId = retweet["referenced_tweets"]!.AsArray().First(r => r!["type"]!.GetValue<string>() == "retweeted")!["id"]!.GetValue<string>();
        var original = pageNode["includes"]!["tweets"]!.AsArray().First(t => t!["id"]!.GetValue<string>() == originalId)!;

        var envelope = Parse(line).Tweets.Single(t => t.Id == retweet["id"]!.GetValue<string>());
        var reference = envelope.ReferencedTweets.Single(r => r.Type == "retweeted");

        Assert.Equal(originalId, reference.Id);
        Assert.Equal(original["text"]!.GetValue<string>(), reference.Tweet?.GetProperty("text").GetString());
        Assert.Equal(original["author_id"]!.GetValue<string>(), reference.Author?.GetProperty("id").GetString());
    }

    [Fact]
    public void Parse_EveryTweet_ResolvesAuthorFromIncludes()
    {
        var page = Parse(RecordedPages.Lines("brexit.jsonl")[0]);

        Assert.All(page.Tweets, t => Assert.Equal(t.Tweet.GetProperty("author_id").GetString(), t.Author?.GetProperty("id").GetString()));
    }

    [Fact]
    public void Parse_DataObject_ReadsSingleTweet()
    {
        // A lookup by id (GET /2/tweets/:id) returns 'data' as one object. No such page is recorded,
        // so this one wraps a recorded tweet and its includes in that shape.
        var recorded = RecordedPages.FirstPage("media_tweet.jsonl");
        var tweet = recorded["data"]!.AsArray()[0]!.DeepClone();
        var page = new JsonObject { ["data"] = tweet, ["includes"] = recorded["includes"]!.DeepClone() };

        var parsed = Parse(page.ToJsonString());

        Assert.Equal(tweet["id"]!.GetValue<string>(), parsed.Tweets[0].Id);
        Assert.Equal(tweet["id"]!.GetValue<string>(), parsed.NewestId?.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Parse_KpopPage_CountsPartialError()
    {
        var page = Parse(RecordedPages.Lines("kpop.jsonl")[0]);

        var error = Assert.Single(page.Errors);
        Assert.Equal("leeseunggi", error.ResourceId);
        Assert.Equal("user", error.ResourceType);
    }

    [Fact]
    public void Parse_SearchPage_ReadsPaginationMeta()
    {
        var page = Parse(RecordedPages.Lines("brexit.jsonl")[0]);

        Assert.Equal(1440716895355764743, page.NewestId);
        Assert.Equal("b26v89c19zqg8o3fpds60ssjif02fq74br3502of8hmrh", page.NextToken);
    }

    [Fact]
    public void Parse_MediaKeys_ResolveFromIncludes()
    {
        var recorded = RecordedPages.FirstPage("media_tweet.jsonl");
        var mediaKey = recorded["data"]![0]!["attachments"]!["media_keys"]![0]!.GetValue<string>();

        var envelope = Parse(recorded.ToJsonString()).Tweets[0];

        Assert.Equal(mediaKey, Assert.Single(envelope.Media).GetProperty("media_key").GetString());
    }

    [Fact]
    public void Parse_GeoPlaceId_ResolvesPlaceFromIncludes()
    {
        var line = RecordedPages.Lines("geo_tweets.jsonl")[1];
        var placeId = JsonNode.Parse(line)!["data"]![0]!["geo"]!["place_id"]!.GetValue<string>();

        var envelope = Parse(line).Tweets[0];

        Assert.Equal(placeId, Assert.Single(envelope.Places).GetProperty("id").GetString());
    }

    [Fact]
    public void Parse_PollIds_ResolvePollFromIncludes()
    {
        // The page contains a poll tweet and a retweet of it, and the API copies poll_ids into the retweet.
        var line = RecordedPages.Lines("brexit.jsonl")[0];
        var pollId = JsonNode.Parse(line)!["includes"]!["polls"]![0]!["id"]!.GetValue<string>();

        var withPollIds = Parse(line).Tweets
            .Where(t => t.Tweet.TryGetProperty("attachments", out var a) && a.TryGetProperty("poll_ids", out _))
            .ToList();

        Assert.Equal(2, withPollIds.Count);
        Assert.All(withPollIds, t => Assert.Equal(pollId, Assert.Single(t.Polls).GetProperty("id").GetString()));
    }

    [Fact]
    public void Parse_LongPost_UsesNoteTweetText()
    {
        // No recorded page contains a long post (one over 280 characters), so this page is built by
        // hand in the documented shape: 'text' has the first part and note_tweet.text the whole post.
        var fullText = string.Concat(Enumerable.Repeat("A long post that goes on. ", 20)) + "The end \U0001F600";
        var page = new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "1900000000000000001",
                ["text"] = fullText[..275] + "...",
                ["author_id"] = "42",
                ["edit_history_tweet_ids"] = new JsonArray("1900000000000000001"),
                ["note_tweet"] = new JsonObject { ["text"] = fullText },
            }),
            ["includes"] = new JsonObject { ["users"] = new JsonArray(new JsonObject { ["id"] = "42", ["username"] = "writer" }) },
        };

        var envelope = TweetEnvelope.FromJson(Parse(page.ToJsonString()).Tweets[0].ToJson());

        Assert.Equal(fullText, Tweet.Parse(envelope.Tweet).FullText);
    }

    [Fact]
    public void Parse_NewestSpecSpellings_ResolveReferencedPosts()
    {
        // The newest published spec writes referenced_posts, note_post, edit_history_post_ids and
        // includes.posts; no recorded page uses them, so this page is built by hand.
        var page = new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "1900000000000000002",
                ["text"] = "A quote",
                ["author_id"] = "42",
                ["edit_history_post_ids"] = new JsonArray("1900000000000000002"),
                ["referenced_posts"] = new JsonArray(new JsonObject { ["type"] = "quoted", ["id"] = "1900000000000000001" }),
            }),
            ["includes"] = new JsonObject
            {
                ["users"] = new JsonArray(new JsonObject { ["id"] = "42" }, new JsonObject { ["id"] = "43" }),
                ["posts"] = new JsonArray(new JsonObject
                {
                    ["id"] = "1900000000000000001",
                    ["text"] = "The original",
                    ["author_id"] = "43",
                    ["note_post"] = new JsonObject { ["text"] = "The original, in full" },
                }),
            },
        };

        var parsed = Parse(page.ToJsonString());
        var reference = Assert.Single(parsed.Tweets[0].ReferencedTweets);

        Assert.Equal(["1900000000000000002", "1900000000000000001"], parsed.Tweets.Select(t => t.Id));
        Assert.Equal("43", reference.Author?.GetProperty("id").GetString());
        Assert.Equal("The original, in full", Tweet.Parse(reference.Tweet!.Value).FullText);
    }

    [Fact]
    public void Parse_StreamMessage_RulesOnlyOnDataTweet()
    {
        // A stream message: a quote, the quoted post in includes, and rule ids as a number and a string.
        var page = new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["id"] = "1900000000000000002",
                ["text"] = "A quote",
                ["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = "quoted", ["id"] = "1900000000000000001" }),
            },
            ["includes"] = new JsonObject
            {
                ["tweets"] = new JsonArray(new JsonObject { ["id"] = "1900000000000000001", ["text"] = "The original" }),
            },
            ["matching_rules"] = new JsonArray(
                new JsonObject { ["id"] = 1600000000000000001L, ["tag"] = "brexit" },
                new JsonObject { ["id"] = "1600000000000000002" }),
        };

        var parsed = Parse(page.ToJsonString());
        var rules = parsed.Tweets[0].MatchingRules!.Value;

        Assert.Equal(JsonValueKind.String, rules[0].GetProperty("id").ValueKind);
        Assert.Equal("1600000000000000001", rules[0].GetProperty("id").GetString());
        Assert.Equal("brexit", rules[0].GetProperty("tag").GetString());
        Assert.Equal("1600000000000000002", rules[1].GetProperty("id").GetString());
        Assert.Null(parsed.Tweets[1].MatchingRules);
    }

    [Fact]
    public void Parse_DuplicateTweet_KeepsDataCopy()
    {
        var page = new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject { ["id"] = "7", ["text"] = "from data" }),
            ["includes"] = new JsonObject { ["tweets"] = new JsonArray(new JsonObject { ["id"] = "7", ["text"] = "from includes" }) },
        };

        var tweet = Assert.Single(Parse(page.ToJsonString()).Tweets);

        Assert.Equal("from data", tweet.Tweet.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("[1, 2]", "JSON Array")]
    [InlineData("{\"__twarc\": {}}", "none of 'data'")]
    [InlineData("{\"data\": [{\"id\": \"1\"}]}", "data[0] is not a valid tweet")]
    [InlineData("{\"data\": [{\"id\": \"12x\", \"text\": \"t\"}]}", "data[0] is not a valid tweet")]
    [InlineData("{\"data\": \"text\"}", "'data' is a JSON String")]
    public void Parse_NotAPage_ThrowsNamingProblem(string json, string expectedMessage)
    {
        var exception = Assert.Throws<FormatException>(() => Parse(json));

        Assert.Contains(expectedMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptySearchResult_YieldsNoTweets()
    {
        var page = Parse("{\"meta\": {\"result_count\": 0}}");

        Assert.Empty(page.Tweets);
    }

    private static ApiPage Parse(string json) =>
        ApiPage.Parse(JsonElement.Parse(json), Source, CollectedAt);
}
