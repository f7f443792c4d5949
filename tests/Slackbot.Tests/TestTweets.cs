using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.Testing;

namespace Pipeline.Slackbot.Tests;

/// <summary>Tweets, envelopes and queue messages for the tests, written as the X API and the collector write them.</summary>
internal static class TestTweets
{
    /// <summary>The collection time of every envelope.</summary>
    public static readonly DateTimeOffset CollectedAt = new(2024, 1, 1, 11, 0, 0, TimeSpan.Zero);

    /// <summary>Builds a raw v2 tweet object.</summary>
    public static JsonObject Tweet(
        long id,
        string text,
        string lang = "en",
        long likes = 0,
        long retweets = 0,
        long quotes = 0,
        long replies = 0,
        string[]? hashtags = null,
        long authorId = 100,
        string createdAt = "2024-01-01T10:30:00.000Z")
    {
        var tweet = new JsonObject
        {
            ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["text"] = text,
            ["lang"] = lang,
            ["author_id"] = authorId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["created_at"] = createdAt,
            ["public_metrics"] = new JsonObject
            {
                ["like_count"] = likes,
                ["retweet_count"] = retweets,
                ["quote_count"] = quotes,
                ["reply_count"] = replies,
                ["impression_count"] = 1000,
            },
        };
        if (hashtags is not null)
        {
            tweet["entities"] = new JsonObject
            {
                ["hashtags"] = new JsonArray([.. hashtags.Select(tag => (JsonNode)new JsonObject { ["tag"] = tag, ["start"] = 0, ["end"] = tag.Length + 1 })]),
            };
        }

        return tweet;
    }

    /// <summary>Builds a raw v2 user object.</summary>
    public static JsonObject User(long id = 100, string username = "ada", string name = "Ada Lovelace") => new()
    {
        ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["username"] = username,
        ["name"] = name,
    };

    /// <summary>Wraps a tweet and its author into the envelope the collector enqueues.</summary>
    public static TweetEnvelope Envelope(JsonObject tweet, JsonObject? author = null) => new(
        tweet["id"]!.GetValue<string>(),
        Element(tweet),
        author is null ? null : Element(author),
        [],
        [],
        [],
        [],
        null,
        new CollectionSource("replay", "test"),
        CollectedAt);

    /// <summary>Wraps envelopes into queue messages numbered from <paramref name="firstId"/>.</summary>
    public static List<QueueMessage> Messages(long firstId, params TweetEnvelope[] envelopes) =>
        [.. envelopes.Select((envelope, i) => new QueueMessage(firstId + i, CollectedAt, envelope.Id, envelope.ToJson(), 1))];

    /// <summary>The parsed tweet and its full-text hashtags, as the handler reads them.</summary>
    public static (Tweet Tweet, IReadOnlyList<TagEntity> Hashtags) Parse(JsonObject tweet)
    {
        var element = Element(tweet);
        return (Core.Tweets.Tweet.Parse(element), TweetEntities.ParseFullText(element).Hashtags);
    }

    /// <summary>Reads the tweets of a recorded page with their authors from the page's <c>includes</c>.</summary>
    public static List<TweetEnvelope> FromRecordedPage(string relativePath)
    {
        var envelopes = new List<TweetEnvelope>();
        foreach (var line in File.ReadLines(TestData.Path(relativePath)).Where(l => l.Length > 0))
        {
            var page = JsonNode.Parse(line)!.AsObject();
            var users = page["includes"]?["users"]?.AsArray().ToDictionary(u => u!["id"]!.GetValue<string>(), u => u!.AsObject()) ?? [];
            foreach (var item in page["data"]!.AsArray())
            {
                var tweet = item!.AsObject();
                var author = users.GetValueOrDefault(tweet["author_id"]!.GetValue<string>());
                envelopes.Add(Envelope(tweet, author));
            }
        }

        return envelopes;
    }

    private static JsonElement Element(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }
}
