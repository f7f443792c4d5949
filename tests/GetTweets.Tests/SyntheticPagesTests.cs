using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Pages;
using Pipeline.GetTweets.Synthetic;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>The seeded synthetic pages: the same seed gives the same pages and ids, and the pages have the shapes of recorded ones.</summary>
public sealed class SyntheticPagesTests
{
    private const long Seed = 20261204;

    [Fact]
    public void BuildPage_SameSeed_SameJson()
    {
        var first = new SyntheticPages(Seed, 1_000);
        var second = new SyntheticPages(Seed, 1_000);

        Assert.Equal(first.BuildPage(7).ToJsonString(), second.BuildPage(7).ToJsonString());
    }

    [Fact]
    public void TweetIds_SameSeed_SameSet()
    {
        var first = new SyntheticPages(Seed, 1_000).TweetIds();
        var second = new SyntheticPages(Seed, 1_000).TweetIds();

        Assert.Equal(first.Order(), second.Order());
    }

    [Fact]
    public void TweetIds_OtherSeed_Disjoint()
    {
        var first = new SyntheticPages(Seed, 1_000).TweetIds();
        var other = new SyntheticPages(Seed + 1, 1_000).TweetIds();

        Assert.Empty(first.Intersect(other));
    }

    [Fact]
    public void TweetIds_EqualIdsOfBuiltPages()
    {
        var pages = new SyntheticPages(Seed, 1_050);

        var built = Enumerable.Range(1, pages.PageCount)
            .SelectMany(n => RecordedPages.TweetsOf(pages.BuildPage(n)))
            .Select(t => long.Parse(t["id"]!.GetValue<string>(), CultureInfo.InvariantCulture))
            .ToHashSet();

        Assert.Equal(built.Order(), pages.TweetIds().Order());
    }

    [Fact]
    public void TweetIds_PositiveAndUnlikeRecorded()
    {
        var ids = new SyntheticPages(Seed, 5_000).TweetIds();
        var recorded = RecordedPages.DistinctTweetIds(Directory.GetFiles(RecordedPages.PathOf(""), "*.jsonl").Select(Path.GetFileName).ToArray()!)
            .Select(id => long.Parse(id, CultureInfo.InvariantCulture))
            .ToList();

        Assert.All(ids, id => Assert.InRange(id, 1, long.MaxValue));
        Assert.Empty(ids.Intersect(recorded));
        Assert.True(ids.Min() > recorded.Max(), $"smallest synthetic id {ids.Min()} is not above the largest recorded id {recorded.Max()}");
    }

    [Fact]
    public void TweetIds_LastPossibleSlot_StaysBelowLongMax()
    {
        var pages = new SyntheticPages(Seed, CollectorOptions.MaxSyntheticCount);

        var last = pages.IdOfSlot(SyntheticPages.PopularOriginals + ((long)pages.PageCount * 2 * SyntheticPages.PageSize));

        Assert.InRange(last, 1, long.MaxValue / 2);
    }

    [Fact]
    public void TweetIds_CreatedAt_MatchesSnowflakeTime()
    {
        var page = new SyntheticPages(Seed, 300).BuildPage(2);

        foreach (var tweet in RecordedPages.TweetsOf(page))
        {
            var id = long.Parse(tweet["id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var createdAt = DateTimeOffset.Parse(tweet["created_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            Assert.Equal(SyntheticPages.TimeOfId(id), createdAt);
            Assert.True(createdAt >= SyntheticPages.FirstTweetTime, $"tweet {id} was created at {createdAt:O}");
        }
    }

    [Fact]
    public void BuildPage_Count_FillsPagesAndShortLast()
    {
        var pages = new SyntheticPages(Seed, 250);

        Assert.Equal(3, pages.PageCount);
        Assert.Equal(100, pages.BuildPage(1)["data"]!.AsArray().Count);
        Assert.Equal(50, pages.BuildPage(3)["data"]!.AsArray().Count);
        Assert.NotNull(pages.BuildPage(2)["meta"]!["next_token"]);
        Assert.Null(pages.BuildPage(3)["meta"]!["next_token"]);
    }

    [Fact]
    public void BuildPage_EveryPage_ParsesAsApiPage()
    {
        var pages = new SyntheticPages(Seed, 2_000);

        for (var n = 1; n <= pages.PageCount; n++)
        {
            var json = pages.BuildPage(n);
            using var document = JsonDocument.Parse(json.ToJsonString());
            var page = ApiPage.Parse(document.RootElement, new CollectionSource("synthetic", "test"), DateTimeOffset.UnixEpoch);

            Assert.Equal(RecordedPages.TweetsOf(json).Count(), page.Tweets.Count);
            Assert.Empty(page.Errors);
            Assert.All(page.Tweets, envelope => Assert.NotNull(envelope.Author));
        }
    }

    [Fact]
    public void BuildPage_Kinds_CoverRecordedShapes()
    {
        var pages = new SyntheticPages(Seed, 1_000);
        var all = Enumerable.Range(1, pages.PageCount).Select(pages.BuildPage).ToList();
        var data = all.SelectMany(p => p["data"]!.AsArray()).Select(t => t!.AsObject()).ToList();
        var included = all.SelectMany(p => p["includes"]!["tweets"]?.AsArray() ?? []).Select(t => t!.AsObject()).ToList();

        Assert.Contains(data, t => t["note_tweet"] is not null);
        Assert.Contains(data, t => ReferenceType(t) == "replied_to" && t["in_reply_to_user_id"] is not null);
        Assert.Contains(data, t => ReferenceType(t) == "quoted");
        Assert.Contains(data, t => t["attachments"]?["media_keys"] is not null);
        Assert.Contains(included, t => t["note_tweet"] is not null);
        Assert.Contains(all, p => p["includes"]!["media"] is not null);

        // A retweet of a long original, with the original in includes.tweets.
        var includedById = included.GroupBy(t => t["id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.First());
        Assert.Contains(data, t => ReferenceType(t) == "retweeted"
            && includedById.TryGetValue(t["referenced_tweets"]![0]!["id"]!.GetValue<string>(), out var original)
            && original["note_tweet"] is not null);
    }

    [Fact]
    public void BuildPage_Text_HasNonBmpCharacters()
    {
        var page = new SyntheticPages(Seed, 100).BuildPage(1);

        var texts = page["data"]!.AsArray().Select(t => t!["text"]!.GetValue<string>()).ToList();

        Assert.Contains(texts, text => text.Any(char.IsSurrogate));
    }

    [Fact]
    public void BuildPage_Authors_AreInIncludes()
    {
        var page = new SyntheticPages(Seed, 300).BuildPage(3);

        var users = page["includes"]!["users"]!.AsArray().Select(u => u!["id"]!.GetValue<string>()).ToHashSet();

        Assert.All(RecordedPages.TweetsOf(page), t => Assert.Contains(t["author_id"]!.GetValue<string>(), users));
        Assert.Equal(users.Count, page["includes"]!["users"]!.AsArray().Count);
    }

    [Fact]
    public void BuildPage_EntityOffsets_CountCodePoints()
    {
        var pages = new SyntheticPages(Seed, 500);

        for (var n = 1; n <= pages.PageCount; n++)
        {
            foreach (var tweet in RecordedPages.TweetsOf(pages.BuildPage(n)))
            {
                AssertEntitiesMatch(tweet["text"]!.GetValue<string>(), tweet["entities"]!.AsObject());
                if (tweet["note_tweet"] is JsonObject note)
                {
                    AssertEntitiesMatch(note["text"]!.GetValue<string>(), note["entities"]!.AsObject());
                }
            }
        }
    }

    [Fact]
    public void BuildPage_FieldNames_AreThoseOfRecordedPages()
    {
        var recorded = RecordedPages.FirstPage("brexit.jsonl");
        var recordedTweetFields = RecordedPages.TweetsOf(recorded).SelectMany(t => t.Select(p => p.Key)).ToHashSet();
        var recordedUserFields = recorded["includes"]!["users"]!.AsArray().SelectMany(u => u!.AsObject().Select(p => p.Key)).ToHashSet();

        // Fields the 2021 recording predates: long posts and edit metadata, which later pages carry.
        string[] newerTweetFields = ["note_tweet", "edit_history_tweet_ids", "edit_controls"];
        var page = new SyntheticPages(Seed, 500).BuildPage(4);

        Assert.Empty(RecordedPages.TweetsOf(page).SelectMany(t => t.Select(p => p.Key)).Except(recordedTweetFields).Except(newerTweetFields).Order());
        Assert.Empty(page["includes"]!["users"]!.AsArray().SelectMany(u => u!.AsObject().Select(p => p.Key)).Except(recordedUserFields).Order());
    }

    [Fact]
    public void BuildPage_TextLengths_LikeRecordedPosts()
    {
        var pages = new SyntheticPages(Seed, 1_000);
        var tweets = Enumerable.Range(1, pages.PageCount).SelectMany(n => RecordedPages.TweetsOf(pages.BuildPage(n))).ToList();

        var shortLengths = tweets.Where(t => t["note_tweet"] is null).Select(t => Tweet.Parse(JsonSerializer.SerializeToElement(t)).Text.EnumerateRunes().Count()).Order().ToList();
        var longLengths = tweets.Where(t => t["note_tweet"] is not null).Select(t => t["note_tweet"]!["text"]!.GetValue<string>().EnumerateRunes().Count()).ToList();

        Assert.InRange(shortLengths[^1], 1, 280);
        Assert.InRange(shortLengths[shortLengths.Count / 2], 60, 200);
        Assert.All(longLengths, length => Assert.InRange(length, 281, 4_000));
    }

    private static string? ReferenceType(JsonObject tweet) => tweet["referenced_tweets"]?[0]?["type"]?.GetValue<string>();

    private static void AssertEntitiesMatch(string text, JsonObject entities)
    {
        var runes = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        foreach (var (kind, prefix, field) in new[] { ("hashtags", "#", "tag"), ("mentions", "@", "username") })
        {
            foreach (var entity in entities[kind]?.AsArray() ?? [])
            {
                var start = entity!["start"]!.GetValue<int>();
                var end = entity["end"]!.GetValue<int>();
                Assert.Equal(prefix + entity[field]!.GetValue<string>(), string.Concat(runes[start..end]));
            }
        }
    }
}
