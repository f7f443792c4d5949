using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>
/// Builds tweet envelopes from the recorded API pages under <c>tests/testdata</c>: each tweet of a
/// page's <c>data</c>, with the objects it names looked up in the page's <c>includes</c>.
/// </summary>
internal static class RecordedPages
{
    /// <summary>The collection time of envelopes that a test does not date otherwise.</summary>
    public static readonly DateTimeOffset CollectedAt = new(2021, 9, 22, 16, 45, 30, 123, TimeSpan.Zero);

    /// <summary>Every recorded page file.</summary>
    public static TheoryData<string> Files { get; } =
    [
        "docnow-twarc-csv/brexit.jsonl",
        "docnow-twarc-csv/cashtags.jsonl",
        "docnow-twarc-csv/edited.jsonl",
        "docnow-twarc-csv/edited_after.jsonl",
        "docnow-twarc-csv/edited_before.jsonl",
        "docnow-twarc-csv/geo_tweets.jsonl",
        "docnow-twarc-csv/kpop.jsonl",
        "docnow-twarc-csv/many_urls.jsonl",
        "docnow-twarc-csv/media_tweet.jsonl",
        "docnow-twarc-csv/mentions_tweet.jsonl",
        "docnow-twarc-csv/two_tweets.jsonl",
    ];

    /// <summary>Reads the envelopes of every page in a file under <c>tests/testdata</c>, in order.</summary>
    public static List<TweetEnvelope> Read(string relativePath, DateTimeOffset? collectedAt = null)
    {
        var envelopes = new List<TweetEnvelope>();
        foreach (var line in File.ReadLines(TestData.Path(relativePath)))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var page = JsonDocument.Parse(line);
            envelopes.AddRange(ReadPage(page.RootElement.Clone(), new CollectionSource("replay", relativePath), collectedAt ?? CollectedAt));
        }

        return envelopes;
    }

    /// <summary>Returns the envelope of the tweet with <paramref name="id"/> in a recorded file.</summary>
    public static TweetEnvelope Find(string relativePath, string id) => Read(relativePath).Single(envelope => envelope.Id == id);

    /// <summary>Builds an envelope around a tweet given as JSON text, with nothing resolved.</summary>
    public static TweetEnvelope FromTweetJson(string tweetJson, DateTimeOffset? collectedAt = null)
    {
        var tweet = Parse(tweetJson);
        var id = ApiJson.GetId(tweet, "id")?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new TweetEnvelope(id, tweet, null, [], [], [], [], null, new CollectionSource("replay", "test"), collectedAt ?? CollectedAt);
    }

    /// <summary>Wraps envelopes into queue messages with ids counting up from <paramref name="firstId"/>.</summary>
    public static List<QueueMessage> ToMessages(this IEnumerable<TweetEnvelope> envelopes, long firstId = 1) =>
        [.. envelopes.Select((envelope, i) => new QueueMessage(firstId + i, CollectedAt, envelope.Id, envelope.ToJson(), 1))];

    /// <summary>Returns the envelope with the tweet's <c>public_metrics.retweet_count</c> set to <paramref name="count"/>.</summary>
    public static TweetEnvelope WithRetweetCount(this TweetEnvelope envelope, long count)
    {
        var tweet = JsonNode.Parse(envelope.Tweet.GetRawText())!.AsObject();
        tweet["public_metrics"]!["retweet_count"] = count;
        return envelope with { Tweet = Parse(tweet.ToJsonString()) };
    }

    /// <summary>Parses JSON text into a detached element.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static IEnumerable<TweetEnvelope> ReadPage(JsonElement page, CollectionSource source, DateTimeOffset collectedAt)
    {
        var includes = page.TryGetProperty("includes", out var found) ? found : default;
        var users = IndexBy(includes, "users", "id");
        var tweets = IndexBy(includes, "tweets", "id");
        var media = IndexBy(includes, "media", "media_key");
        var places = IndexBy(includes, "places", "id");
        var polls = IndexBy(includes, "polls", "id");

        foreach (var tweet in Items(page, "data"))
        {
            var references = new List<ReferencedTweetEnvelope>();
            foreach (var reference in Items(tweet, "referenced_tweets"))
            {
                var referencedId = reference.GetProperty("id").GetString()!;
                JsonElement? referenced = tweets.TryGetValue(referencedId, out var included) ? included : null;
                var referencedAuthor = referenced is { } value ? Resolve(users, value, "author_id") : null;
                references.Add(new ReferencedTweetEnvelope(reference.GetProperty("type").GetString()!, referencedId, referenced, referencedAuthor));
            }

            var attachments = tweet.TryGetProperty("attachments", out var attachmentsValue) ? attachmentsValue : default;
            var geo = tweet.TryGetProperty("geo", out var geoValue) ? geoValue : default;
            yield return new TweetEnvelope(
                tweet.GetProperty("id").GetString()!,
                tweet,
                Resolve(users, tweet, "author_id"),
                references,
                ResolveAll(media, attachments, "media_keys"),
                Resolve(places, geo, "place_id") is { } place ? [place] : [],
                ResolveAll(polls, attachments, "poll_ids"),
                null,
                source,
                collectedAt);
        }
    }

    /// <summary>Indexes the objects of an <c>includes</c> list by key; a page may list an object twice, and the first is kept.</summary>
    private static Dictionary<string, JsonElement> IndexBy(JsonElement includes, string name, string key)
    {
        var index = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var item in Items(includes, name))
        {
            index.TryAdd(item.GetProperty(key).GetString()!, item);
        }

        return index;
    }

    private static List<JsonElement> Items(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [value];
    }

    private static JsonElement? Resolve(Dictionary<string, JsonElement> index, JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty(name, out var key)
        && index.TryGetValue(key.GetString()!, out var value)
            ? value
            : null;

    private static List<JsonElement> ResolveAll(Dictionary<string, JsonElement> index, JsonElement obj, string name) =>
        [.. Items(obj, name).Where(key => index.ContainsKey(key.GetString()!)).Select(key => index[key.GetString()!])];
}
