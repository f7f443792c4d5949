using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.Testing;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>
/// Builds queue messages for the writer from recorded API pages: each tweet of a page's
/// <c>data</c> with its author, referenced tweets, media, places and polls looked up in the
/// page's <c>includes</c>, as a collector puts them into an envelope.
/// </summary>
internal static class Envelopes
{
    /// <summary>The collection time of envelopes that a test does not date otherwise.</summary>
    public static readonly DateTimeOffset CollectedAt = new(2021, 9, 22, 16, 40, 0, TimeSpan.Zero);

    /// <summary>Reads every page of a file under <c>tests/testdata</c> into envelopes, in page order.</summary>
    public static List<TweetEnvelope> FromRecordedPages(string relativePath, DateTimeOffset? collectedAt = null)
    {
        var envelopes = new List<TweetEnvelope>();
        foreach (var line in File.ReadLines(TestData.Path(relativePath)).Where(l => l.Length > 0))
        {
            using var page = JsonDocument.Parse(line);
            envelopes.AddRange(FromPage(page.RootElement, new CollectionSource("replay", relativePath), collectedAt ?? CollectedAt));
        }

        return envelopes;
    }

    /// <summary>Builds the envelope of one tweet given as JSON text, with its author when given.</summary>
    public static TweetEnvelope FromTweet(string tweetJson, string? authorJson = null, DateTimeOffset? collectedAt = null)
    {
        var tweet = JsonElementOf(tweetJson);
        JsonElement? author = authorJson is null ? null : JsonElementOf(authorJson);
        return new TweetEnvelope(
            tweet.GetProperty("id").GetString()!,
            tweet,
            author,
            [],
            [],
            [],
            [],
            null,
            new CollectionSource("replay", "test"),
            collectedAt ?? CollectedAt);
    }

    /// <summary>Returns the envelope with its tweet object changed by <paramref name="edit"/>.</summary>
    public static TweetEnvelope WithTweet(this TweetEnvelope envelope, Action<JsonObject> edit)
    {
        var tweet = JsonNode.Parse(envelope.Tweet.GetRawText())!.AsObject();
        edit(tweet);
        return envelope with { Tweet = JsonElementOf(tweet.ToJsonString()) };
    }

    /// <summary>Returns the envelope with one more referenced tweet, given as JSON text, and no author for it.</summary>
    public static TweetEnvelope WithReferencedTweet(this TweetEnvelope envelope, string type, string tweetJson)
    {
        var tweet = JsonElementOf(tweetJson);
        var reference = new ReferencedTweetEnvelope(type, tweet.GetProperty("id").GetString()!, tweet, null);
        return envelope with { ReferencedTweets = [.. envelope.ReferencedTweets, reference] };
    }

    /// <summary>Wraps envelopes into queue messages numbered from <paramref name="firstId"/>.</summary>
    public static List<QueueMessage> ToMessages(this IEnumerable<TweetEnvelope> envelopes, long firstId = 1) =>
        [.. envelopes.Select((envelope, i) => Message(firstId + i, envelope.ToJson(), envelope.Id))];

    /// <summary>Wraps envelopes into queue messages numbered from <paramref name="firstId"/>.</summary>
    public static List<QueueMessage> Messages(long firstId, params TweetEnvelope[] envelopes) => envelopes.ToMessages(firstId);

    /// <summary>Builds a queue message with any payload text.</summary>
    public static QueueMessage Message(long id, string payload, string? key = null) =>
        new(id, CollectedAt, key, payload, 1);

    private static IEnumerable<TweetEnvelope> FromPage(JsonElement page, CollectionSource source, DateTimeOffset collectedAt)
    {
        var includes = page.TryGetProperty("includes", out var found) ? found : default;
        var users = Index(includes, "users", "id");
        var tweets = Index(includes, "tweets", "id");
        var media = Index(includes, "media", "media_key");
        var places = Index(includes, "places", "id");
        var polls = Index(includes, "polls", "id");

        var data = page.GetProperty("data");
        var items = data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().ToList() : [data];
        foreach (var tweet in items)
        {
            var references = new List<ReferencedTweetEnvelope>();
            foreach (var reference in Array(tweet, "referenced_tweets"))
            {
                var id = reference.GetProperty("id").GetString()!;
                JsonElement? referenced = tweets.TryGetValue(id, out var included) ? included : null;
                JsonElement? referencedAuthor = referenced is { } r && Lookup(users, r, "author_id") is { } a ? a : null;
                references.Add(new ReferencedTweetEnvelope(reference.GetProperty("type").GetString()!, id, referenced, referencedAuthor));
            }

            var attachments = tweet.TryGetProperty("attachments", out var value) ? value : default;
            var geo = tweet.TryGetProperty("geo", out var geoValue) ? geoValue : default;
            yield return new TweetEnvelope(
                tweet.GetProperty("id").GetString()!,
                tweet.Clone(),
                Lookup(users, tweet, "author_id"),
                references,
                [.. Array(attachments, "media_keys").Select(k => media.GetValueOrDefault(k.GetString()!)).Where(m => m.ValueKind != JsonValueKind.Undefined)],
                Lookup(places, geo, "place_id") is { } place ? [place] : [],
                [.. Array(attachments, "poll_ids").Select(k => polls.GetValueOrDefault(k.GetString()!)).Where(p => p.ValueKind != JsonValueKind.Undefined)],
                null,
                source,
                collectedAt);
        }
    }

    private static Dictionary<string, JsonElement> Index(JsonElement includes, string name, string key) =>
        Array(includes, name).ToDictionary(item => item.GetProperty(key).GetString()!, item => item.Clone());

    private static List<JsonElement> Array(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray()]
            : [];

    private static JsonElement? Lookup(Dictionary<string, JsonElement> index, JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty(name, out var key)
        && key.ValueKind == JsonValueKind.String
        && index.TryGetValue(key.GetString()!, out var value)
            ? value
            : null;

    private static JsonElement JsonElementOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
