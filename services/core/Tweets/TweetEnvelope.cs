using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Core.Tweets;

/// <summary>
/// One tweet as it travels through the queue: the tweet object exactly as the X API returned it,
/// with the objects that the API page delivered separately in <c>includes</c> resolved beside it.
/// </summary>
/// <param name="Id">The tweet id as the API writes it: a decimal string of a signed 64-bit integer.</param>
/// <param name="Tweet">The raw tweet object.</param>
/// <param name="Author">The raw user object of the author, when the page included it.</param>
/// <param name="ReferencedTweets">Retweeted, quoted and replied-to tweets, resolved when included.</param>
/// <param name="Media">Raw media objects named by the tweet's <c>attachments.media_keys</c>.</param>
/// <param name="Places">Raw place objects named by the tweet's <c>geo.place_id</c>.</param>
/// <param name="Polls">Raw poll objects named by the tweet's <c>attachments.poll_ids</c>.</param>
/// <param name="MatchingRules">Filtered-stream rules that matched, as the stream delivered them.</param>
/// <param name="Source">Where the collector got the tweet.</param>
/// <param name="CollectedAt">When the collector read the page (UTC).</param>
public sealed record TweetEnvelope(
    string Id,
    JsonElement Tweet,
    JsonElement? Author,
    IReadOnlyList<ReferencedTweetEnvelope> ReferencedTweets,
    IReadOnlyList<JsonElement> Media,
    IReadOnlyList<JsonElement> Places,
    IReadOnlyList<JsonElement> Polls,
    JsonElement? MatchingRules,
    CollectionSource Source,
    DateTimeOffset CollectedAt)
{
    /// <summary>
    /// True when the page delivered the tweet only in <c>includes.tweets</c>, because a tweet of
    /// its <c>data</c> retweeted, quoted or replied to it: the tweet itself did not match the
    /// query or stream rules. Written to the queue only when true.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Referenced { get; init; }

    /// <summary>Serializes the envelope to the UTF-8 JSON text stored in the queue.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TweetJsonContext.Queue.TweetEnvelope);

    /// <summary>Parses the queue payload; throws <see cref="JsonException"/> when it is not an envelope.</summary>
    public static TweetEnvelope FromJson(string json) =>
        JsonSerializer.Deserialize(json, TweetJsonContext.Queue.TweetEnvelope)
        ?? throw new JsonException("The queue payload is JSON null, not a tweet envelope.");
}

/// <summary>A link from a tweet to another tweet, with the other tweet when the API included it.</summary>
/// <param name="Type">The API's link type: <c>retweeted</c>, <c>quoted</c> or <c>replied_to</c>.</param>
public sealed record ReferencedTweetEnvelope(
    string Type,
    string Id,
    JsonElement? Tweet,
    JsonElement? Author);

/// <summary>Where a tweet was collected from.</summary>
/// <param name="Kind">The collector source: <c>replay</c>, <c>import</c>, <c>recent_search</c>, <c>full_archive_search</c> or <c>filtered_stream</c>.</param>
/// <param name="Name">The query, stream rule set or file the tweet came from.</param>
public sealed record CollectionSource(string Kind, string Name);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TweetEnvelope))]
internal sealed partial class TweetJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context used for queue payloads. Non-ASCII text of the Basic Multilingual Plane is
    /// written unescaped, which keeps payloads smaller and readable in psql; characters outside
    /// it (most emoji) and control characters such as U+0000 are still written as \u escapes.
    /// </summary>
    public static TweetJsonContext Queue { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
