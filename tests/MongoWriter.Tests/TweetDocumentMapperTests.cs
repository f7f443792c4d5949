using System.Globalization;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Pipeline.Core.Tweets;
using Pipeline.Vader;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

public sealed class TweetDocumentMapperTests
{
    private const string TwoTweets = "docnow-twarc-csv/two_tweets.jsonl";

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void MapTweet_RecordedPage_MapsTypedFields(string file)
    {
        foreach (var envelope in RecordedPages.Read(file))
        {
            var raw = envelope.Tweet;
            var document = TweetDocumentMapper.MapTweet(envelope);
            var id = raw.GetProperty("id").GetString();

            Assert.Equal(id, document["_id"].AsString);
            Assert.Equal(raw.GetProperty("text").GetString(), document["text"].AsString);
            Assert.Equal(ExpectedFullText(raw), document["full_text"].AsString);
            Assert.Equal(DateTimeOffset.Parse(raw.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture).UtcDateTime, document["created_at"].ToUniversalTime());
            Assert.Equal(StringOrNull(raw, "author_id"), document["author_id"]);
            Assert.Equal(StringOrNull(raw, "lang"), document["lang"]);
            Assert.Equal(StringOrNull(raw, "conversation_id"), document["conversation_id"]);
            Assert.Equal(StringOrNull(raw, "in_reply_to_user_id"), document["in_reply_to_user_id"]);
            Assert.Equal(Entities(raw, "hashtags", "tag"), Strings(document["hashtags"]));
            Assert.Equal(Entities(raw, "hashtags", "tag").Select(t => t!.ToLowerInvariant()).Distinct(), Strings(document["hashtags_lower"]));
            Assert.Equal(Entities(raw, "cashtags", "tag"), Strings(document["cashtags"]));
            Assert.Equal(Entities(raw, "mentions", "username"), document["mentions"].AsBsonArray.Select(m => m["username"].AsString));
            Assert.Equal(Entities(raw, "urls", "url"), document["urls"].AsBsonArray.Select(u => u["url"].AsString));
            Assert.Equal(Entities(raw, "urls", "expanded_url"), document["urls"].AsBsonArray.Select(u => u["expanded_url"].IsBsonNull ? null : u["expanded_url"].AsString));
            Assert.Equal(EditHistory(raw), Strings(document["edit_history_ids"]));
            Assert.Equal(envelope.Media.Count, document["media"].AsBsonArray.Count);
            Assert.Equal(envelope.Places.Count, document["places"].AsBsonArray.Count);
            Assert.Equal(envelope.Polls.Count, document["polls"].AsBsonArray.Count);
            Assert.Equal("replay", document["source"]["kind"].AsString);
            Assert.Equal(file, document["source"]["name"].AsString);
            Assert.Equal(RecordedPages.CollectedAt.UtcDateTime, document["collected_at"].ToUniversalTime());
            Assert.True(JsonElement.DeepEquals(raw, RecordedPages.Parse(JsonBsonConverter.ToJson(document["raw"]))), $"The raw tweet {id} changed in the round trip.");
        }
    }

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void MapTweet_RecordedPage_MapsMetrics(string file)
    {
        foreach (var envelope in RecordedPages.Read(file))
        {
            var metrics = TweetDocumentMapper.MapTweet(envelope)["metrics"].AsBsonDocument;
            var expected = envelope.Tweet.GetProperty("public_metrics");

            foreach (var name in new[] { "retweet_count", "reply_count", "like_count", "quote_count", "impression_count", "bookmark_count" })
            {
                BsonValue expectedCount = expected.TryGetProperty(name, out var count) ? new BsonInt64(count.GetInt64()) : BsonNull.Value;
                Assert.Equal(expectedCount, metrics[name]);
            }

            Assert.Equal(RecordedPages.CollectedAt.UtcDateTime, metrics["observed_at"].ToUniversalTime());
        }
    }

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void MapTweet_RecordedPage_EmbedsAuthor(string file)
    {
        foreach (var envelope in RecordedPages.Read(file))
        {
            var author = TweetDocumentMapper.MapTweet(envelope)["author"];
            if (envelope.Author is not { } raw)
            {
                Assert.Equal(BsonNull.Value, author);
                continue;
            }

            Assert.Equal(raw.GetProperty("id").GetString(), author["id"].AsString);
            Assert.Equal(raw.GetProperty("username").GetString(), author["username"].AsString);
            Assert.Equal(raw.GetProperty("name").GetString(), author["name"].AsString);
            Assert.Equal(raw.GetProperty("public_metrics").GetProperty("followers_count").GetInt64(), author["metrics"]["followers_count"].AsInt64);
        }
    }

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void MapTweet_RecordedPage_EmbedsIncludedReferences(string file)
    {
        foreach (var envelope in RecordedPages.Read(file))
        {
            var references = TweetDocumentMapper.MapTweet(envelope)["referenced_tweets"].AsBsonArray;

            Assert.Equal(envelope.ReferencedTweets.Count, references.Count);
            for (var i = 0; i < references.Count; i++)
            {
                var expected = envelope.ReferencedTweets[i];
                var reference = references[i].AsBsonDocument;
                Assert.Equal(expected.Type, reference["type"].AsString);
                Assert.Equal(expected.Id, reference["id"].AsString);
                if (expected.Tweet is { } included)
                {
                    Assert.Equal(expected.Id, reference["tweet"]["id"].AsString);
                    Assert.Equal(included.GetProperty("text").GetString(), reference["tweet"]["text"].AsString);
                    Assert.True(JsonElement.DeepEquals(included, RecordedPages.Parse(JsonBsonConverter.ToJson(reference["tweet"]["raw"]))));
                }
                else
                {
                    Assert.Equal(BsonNull.Value, reference["tweet"]);
                }
            }
        }
    }

    [Fact]
    public void MapTweet_Retweet_EmbedsRetweetedTweetAndAuthor()
    {
        var envelope = RecordedPages.Find(TwoTweets, "1394735776701816833");

        var reference = TweetDocumentMapper.MapTweet(envelope)["referenced_tweets"][0];

        Assert.Equal("retweeted", reference["type"].AsString);
        Assert.Equal("1391677057810288641", reference["id"].AsString);
        Assert.Equal("#POIUYTREWQ", reference["tweet"]["text"].AsString);
        Assert.Equal(new DateTime(2021, 5, 10, 8, 50, 41, DateTimeKind.Utc), reference["tweet"]["created_at"].ToUniversalTime());
        Assert.Equal("bibaigna96", reference["tweet"]["author"]["username"].AsString);
        Assert.Equal(new BsonArray { "POIUYTREWQ" }, reference["tweet"]["hashtags"]);
    }

    [Fact]
    public void MapTweet_LongPost_HashtagsOfWholeText()
    {
        var envelope = RecordedPages.FromTweetJson("""
            {"id": "31", "text": "short #a",
             "entities": {"hashtags": [{"start": 6, "end": 8, "tag": "a"}]},
             "note_tweet": {"text": "short #a and later #Later",
                            "entities": {"hashtags": [{"start": 6, "end": 8, "tag": "a"}, {"start": 19, "end": 25, "tag": "Later"}]}}}
            """);

        var document = TweetDocumentMapper.MapTweet(envelope);

        Assert.Equal(["a", "Later"], document["hashtags"].AsBsonArray.Select(tag => tag.AsString));
        Assert.Equal(["a", "later"], document["hashtags_lower"].AsBsonArray.Select(tag => tag.AsString));
    }

    [Fact]
    public void MapTweet_Tweet_ScoresSentimentOfFullText()
    {
        var envelope = RecordedPages.FromTweetJson("""{"id": "30", "text": "short", "note_tweet": {"text": "What a wonderful, happy day!"}}""");
        var expected = VaderScorer.Default.Score("What a wonderful, happy day!");

        var sentiment = TweetDocumentMapper.MapTweet(envelope)["sentiment"];

        Assert.Equal(expected.Compound, sentiment["compound"].AsDouble);
        Assert.Equal(expected.Negative, sentiment["negative"].AsDouble);
        Assert.Equal(expected.Neutral, sentiment["neutral"].AsDouble);
        Assert.Equal(expected.Positive, sentiment["positive"].AsDouble);
        Assert.Equal("positive", sentiment["label"].AsString);
        Assert.Equal("full_text", sentiment["scored_text_source"].AsString);
        Assert.Equal(VaderScorer.Default.LexiconVersion, sentiment["lexicon_version"].AsString);
    }

    [Fact]
    public void MapTweet_Retweet_ScoresOriginalText()
    {
        var envelope = RecordedPages.Find(TwoTweets, "1394735776701816833");

        var sentiment = TweetDocumentMapper.MapTweet(envelope)["sentiment"];

        Assert.Equal("retweeted_original", sentiment["scored_text_source"].AsString);
        Assert.Equal(VaderScorer.Default.Score("#POIUYTREWQ").Compound, sentiment["compound"].AsDouble);
    }

    [Fact]
    public void MapTweet_ReferenceNotIncluded_HasNullTweet()
    {
        var envelope = RecordedPages.FromTweetJson("""{"id": "20", "text": "t", "referenced_tweets": [{"type": "quoted", "id": "10"}]}""");

        var reference = TweetDocumentMapper.MapTweet(envelope)["referenced_tweets"][0];

        Assert.Equal("quoted", reference["type"].AsString);
        Assert.Equal("10", reference["id"].AsString);
        Assert.Equal(BsonNull.Value, reference["tweet"]);
    }

    [Fact]
    public void MapTweet_TwoTweetsPage_MapsEveryField()
    {
        var document = TweetDocumentMapper.MapTweet(RecordedPages.Find(TwoTweets, "1394735776701816833"));

        Assert.Equal("1394735776701816833", document["_id"].AsString);
        Assert.Equal("RT @bibaigna96: #POIUYTREWQ", document["text"].AsString);
        Assert.Equal("RT @bibaigna96: #POIUYTREWQ", document["full_text"].AsString);
        Assert.Equal(new DateTime(2021, 5, 18, 19, 24, 56, DateTimeKind.Utc), document["created_at"].ToUniversalTime());
        Assert.Equal("1379899464345923590", document["author_id"].AsString);
        Assert.Equal("und", document["lang"].AsString);
        Assert.Equal("1394735776701816833", document["conversation_id"].AsString);
        Assert.Equal(BsonNull.Value, document["in_reply_to_user_id"]);
        Assert.Equal(new BsonArray { "POIUYTREWQ" }, document["hashtags"]);
        Assert.Equal(new BsonArray { "poiuytrewq" }, document["hashtags_lower"]);
        Assert.Equal(new BsonDocument { { "id", BsonNull.Value }, { "username", "bibaigna96" } }, document["mentions"][0]);
        Assert.Equal(1L, document["metrics"]["retweet_count"].AsInt64);
        Assert.Equal(BsonNull.Value, document["metrics"]["impression_count"]);
        Assert.Equal(new BsonArray(), document["edit_history_ids"]);
        Assert.Equal("1379899464345923590", document["author"]["id"].AsString);
        Assert.Equal("LachiVeronica", document["author"]["username"].AsString);
        Assert.Equal("Veronica Lachi", document["author"]["name"].AsString);
        Assert.Equal(new DateTime(2021, 4, 7, 20, 50, 54, DateTimeKind.Utc), document["author"]["created_at"].ToUniversalTime());
        Assert.Equal(BsonNull.Value, document["matching_rules"]);
    }

    [Fact]
    public void MapTweet_CreatedAt_IsUtcBsonDate()
    {
        var document = TweetDocumentMapper.MapTweet(RecordedPages.Find(TwoTweets, "1394735776701816833"));

        var read = BsonSerializer.Deserialize<BsonDocument>(document.ToBson());

        Assert.Equal(BsonType.DateTime, read["created_at"].BsonType);
        Assert.Equal(DateTimeKind.Utc, read["created_at"].ToUniversalTime().Kind);
        Assert.Equal(new DateTimeOffset(2021, 5, 18, 19, 24, 56, TimeSpan.Zero).ToUnixTimeMilliseconds(), read["created_at"].AsBsonDateTime.MillisecondsSinceEpoch);
    }

    [Fact]
    public void MapTweet_OffsetTimestamp_IsStoredInUtc()
    {
        var envelope = RecordedPages.FromTweetJson("""{"id": "1", "text": "t", "created_at": "2021-05-18T21:24:56.250+02:00"}""");

        var createdAt = TweetDocumentMapper.MapTweet(envelope)["created_at"].ToUniversalTime();

        Assert.Equal(new DateTime(2021, 5, 18, 19, 24, 56, 250, DateTimeKind.Utc), createdAt);
    }

    [Fact]
    public void MapTweet_Emoji_SurvivesBson()
    {
        var envelope = RecordedPages.Find("docnow-twarc-csv/kpop.jsonl", "1440717136192626696");
        var expected = envelope.Tweet.GetProperty("text").GetString()!;

        var read = BsonSerializer.Deserialize<BsonDocument>(TweetDocumentMapper.MapTweet(envelope).ToBson());

        Assert.Contains("💙", expected, StringComparison.Ordinal);
        Assert.Equal(expected, read["text"].AsString);
        Assert.Equal(expected, read["raw"]["text"].AsString);
        Assert.Equal(new BsonArray { "원호", "잇츠라이브", "WONHO" }, new BsonArray(read["hashtags"].AsBsonArray.Take(3)));
    }

    [Fact]
    public void MapTweet_LargeIds_StayExact()
    {
        var envelope = RecordedPages.FromTweetJson("""
            {"id": 9223372036854775807, "text": "t", "author_id": "9007199254740993",
             "conversation_id": 1440716895355764743, "edit_history_tweet_ids": ["9223372036854775807", "9007199254740993"]}
            """);

        var document = TweetDocumentMapper.MapTweet(envelope);

        Assert.Equal("9223372036854775807", document["_id"].AsString);
        Assert.Equal("9007199254740993", document["author_id"].AsString);
        Assert.Equal("1440716895355764743", document["conversation_id"].AsString);
        Assert.Equal(new BsonArray { "9223372036854775807", "9007199254740993" }, document["edit_history_ids"]);
        Assert.Equal(9223372036854775807L, document["raw"]["id"].AsInt64);
        Assert.Equal(1440716895355764743L, document["raw"]["conversation_id"].AsInt64);
    }

    [Fact]
    public void MapTweet_RawSpecialKeys_RestoredByInverse()
    {
        var envelope = RecordedPages.FromTweetJson("""
            {"id": "5", "text": "t", "a.b": 1, "$type": "x",
             "nested": {"$type": {"a.b": [{"$x": 1, "100%": "y"}]}, "big": 123456789012345678901234567890}}
            """);

        var raw = TweetDocumentMapper.MapTweet(envelope)["raw"].AsBsonDocument;

        Assert.Equal(1, raw["a%2Eb"].AsInt32);
        Assert.Equal("x", raw["%24type"].AsString);
        Assert.Equal(1, raw["nested"]["%24type"]["a%2Eb"][0]["%24x"].AsInt32);
        Assert.Equal("y", raw["nested"]["%24type"]["a%2Eb"][0]["100%25"].AsString);
        Assert.Equal("123456789012345678901234567890", raw["nested"]["big"].AsDecimal128.ToString());
        Assert.True(JsonElement.DeepEquals(envelope.Tweet, RecordedPages.Parse(JsonBsonConverter.ToJson(raw))));
    }

    [Fact]
    public void MapTweet_NoteTweet_FullTextIsWholeText()
    {
        var envelope = RecordedPages.FromTweetJson("""{"id": "1", "text": "short…", "note_tweet": {"text": "short and then the rest"}}""");

        var document = TweetDocumentMapper.MapTweet(envelope);

        Assert.Equal("short…", document["text"].AsString);
        Assert.Equal("short and then the rest", document["full_text"].AsString);
    }

    [Fact]
    public void MapTweet_HashtagCases_LowerCopyIsDistinct()
    {
        var envelope = RecordedPages.FromTweetJson("""
            {"id": "1", "text": "#Brexit #brexit #ÉTÉ", "entities": {"hashtags": [{"tag": "Brexit"}, {"tag": "brexit"}, {"tag": "ÉTÉ"}]}}
            """);

        var document = TweetDocumentMapper.MapTweet(envelope);

        Assert.Equal(new BsonArray { "Brexit", "brexit", "ÉTÉ" }, document["hashtags"]);
        Assert.Equal(new BsonArray { "brexit", "été" }, document["hashtags_lower"]);
    }

    [Fact]
    public void MapTweet_MinimalTweet_HasNullsAndEmptyLists()
    {
        var document = TweetDocumentMapper.MapTweet(RecordedPages.FromTweetJson("""{"id": "1", "text": "t"}"""));

        Assert.Equal(BsonNull.Value, document["created_at"]);
        Assert.Equal(BsonNull.Value, document["author_id"]);
        Assert.Equal(BsonNull.Value, document["author"]);
        Assert.Equal(BsonNull.Value, document["metrics"]["like_count"]);
        Assert.Equal(new BsonArray(), document["hashtags"]);
        Assert.Equal(new BsonArray(), document["referenced_tweets"]);
        Assert.Equal(new BsonArray(), document["media"]);
    }

    [Fact]
    public void MapTweet_MediaPlacesPolls_AreConverted()
    {
        var envelopes = RecordedPages.Read("docnow-twarc-csv/brexit.jsonl")
            .Concat(RecordedPages.Read("docnow-twarc-csv/geo_tweets.jsonl"))
            .ToList();
        var withMedia = envelopes.First(e => e.Media.Count > 0);
        var withPlace = envelopes.First(e => e.Places.Count > 0);
        var withPoll = envelopes.First(e => e.Polls.Count > 0);

        var media = TweetDocumentMapper.MapTweet(withMedia)["media"][0];
        var place = TweetDocumentMapper.MapTweet(withPlace)["places"][0];
        var poll = TweetDocumentMapper.MapTweet(withPoll)["polls"][0];

        Assert.Equal(withMedia.Media[0].GetProperty("media_key").GetString(), media["media_key"].AsString);
        Assert.Equal(withPlace.Places[0].GetProperty("full_name").GetString(), place["full_name"].AsString);
        Assert.Equal(withPoll.Polls[0].GetProperty("options").GetArrayLength(), poll["options"].AsBsonArray.Count);
    }

    [Fact]
    public void MapTweet_MissingText_Throws()
    {
        var envelope = RecordedPages.FromTweetJson("""{"id": "1"}""");

        Assert.Throws<KeyNotFoundException>(() => TweetDocumentMapper.MapTweet(envelope));
    }

    [Fact]
    public void MeasureBson_SeventeenMebibyteText_ExceedsLimit()
    {
        var text = new string('x', 17 * 1024 * 1024);
        var envelope = RecordedPages.FromTweetJson(JsonSerializer.Serialize(new { id = "1", text }));

        var size = TweetDocumentMapper.MeasureBson(TweetDocumentMapper.MapTweet(envelope));

        Assert.True(size > TweetDocumentMapper.MaxDocumentBytes, $"{size} bytes is not above the limit.");
    }

    [Fact]
    public void MeasureBson_RecordedTweet_IsWithinLimit()
    {
        var envelope = RecordedPages.Find(TwoTweets, "1394735776701816833");

        var size = TweetDocumentMapper.MeasureBson(TweetDocumentMapper.MapTweet(envelope));

        Assert.InRange(size, 1, TweetDocumentMapper.MaxDocumentBytes);
    }

    [Fact]
    public void MapUsers_Retweet_ReturnsAuthorAndRetweetedAuthor()
    {
        var users = TweetDocumentMapper.MapUsers(RecordedPages.Find(TwoTweets, "1394735776701816833"));

        Assert.Equal(["1379899464345923590", "1380086327023169540"], users.Select(u => u["_id"].AsString));
        Assert.Equal("LachiVeronica", users[0]["username"].AsString);
        Assert.Equal(RecordedPages.CollectedAt.UtcDateTime, users[0][TweetDocumentMapper.UserObservedAtField].ToUniversalTime());
        Assert.Equal(4L, users[0]["metrics"]["following_count"].AsInt64);
        Assert.Equal("Veronica Lachi", users[0]["raw"]["name"].AsString);
    }

    private static string ExpectedFullText(JsonElement raw) =>
        raw.TryGetProperty("note_tweet", out var note) ? note.GetProperty("text").GetString()! : raw.GetProperty("text").GetString()!;

    private static BsonValue StringOrNull(JsonElement raw, string name) =>
        raw.TryGetProperty(name, out var value) ? new BsonString(value.GetString()) : BsonNull.Value;

    private static List<string?> Entities(JsonElement raw, string kind, string field)
    {
        if (!raw.TryGetProperty("entities", out var entities) || !entities.TryGetProperty(kind, out var items))
        {
            return [];
        }

        return [.. items.EnumerateArray().Select(item => item.TryGetProperty(field, out var value) ? value.GetString() : null)];
    }

    private static List<string> EditHistory(JsonElement raw) =>
        raw.TryGetProperty("edit_history_tweet_ids", out var ids) ? [.. ids.EnumerateArray().Select(id => id.GetString()!)] : [];

    private static IEnumerable<string> Strings(BsonValue array) => array.AsBsonArray.Select(item => item.AsString);
}
