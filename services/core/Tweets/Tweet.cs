using System.Text.Json;

namespace Pipeline.Core.Tweets;

/// <summary>
/// The typed view of one X API v2 tweet object that the writers store. Field names follow the
/// API; the spellings of the newest published spec (<c>note_post</c>, <c>referenced_posts</c>,
/// <c>edit_history_post_ids</c>) are read as well as the older ones.
/// </summary>
public sealed record Tweet(
    long Id,
    string Text,
    string FullText,
    DateTimeOffset? CreatedAt,
    long? AuthorId,
    long? ConversationId,
    long? InReplyToUserId,
    string? Lang,
    string? Source,
    bool? PossiblySensitive,
    string? ReplySettings,
    PublicMetrics? Metrics,
    IReadOnlyList<long> EditHistoryIds,
    IReadOnlyList<TweetReference> References,
    TweetEntities Entities)
{
    /// <summary>The id of the tweet this one retweets, or null when it is not a retweet.</summary>
    public long? RetweetedId => References.FirstOrDefault(r => r.Type == TweetReference.Retweeted)?.Id;

    /// <summary>Parses a raw tweet object; throws <see cref="FormatException"/> or <see cref="KeyNotFoundException"/> when the id or text is missing or invalid.</summary>
    public static Tweet Parse(JsonElement tweet)
    {
        if (tweet.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A tweet must be a JSON object, not {tweet.ValueKind}.");
        }

        var id = ApiJson.GetId(tweet, "id") ?? throw new KeyNotFoundException("The tweet has no 'id'.");
        var text = ApiJson.GetString(tweet, "text") ?? throw new KeyNotFoundException($"Tweet {id} has no 'text'.");

        // A long post arrives with its first 280 characters in 'text' and the whole text in note_tweet.
        var fullText = text;
        if (ApiJson.TryGetAny(tweet, out var note, "note_tweet", "note_post")
            && ApiJson.GetString(note, "text") is { } noteText)
        {
            fullText = noteText;
        }

        return new Tweet(
            id,
            text,
            fullText,
            ApiJson.GetTimestamp(tweet, "created_at"),
            ApiJson.GetId(tweet, "author_id"),
            ApiJson.GetId(tweet, "conversation_id"),
            ApiJson.GetId(tweet, "in_reply_to_user_id"),
            ApiJson.GetString(tweet, "lang"),
            ApiJson.GetString(tweet, "source"),
            ApiJson.GetBool(tweet, "possibly_sensitive"),
            ApiJson.GetString(tweet, "reply_settings"),
            tweet.TryGetProperty("public_metrics", out var metrics) ? PublicMetrics.Parse(metrics) : null,
            ReadEditHistory(tweet),
            ReadReferences(tweet),
            // Entities whose offsets point into FullText, as every store and rule uses them.
            TweetEntities.ParseFullText(tweet));
    }

    private static List<long> ReadEditHistory(JsonElement tweet)
    {
        var ids = new List<long>();
        if (ApiJson.TryGetAny(tweet, out var history, "edit_history_tweet_ids", "edit_history_post_ids")
            && history.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in history.EnumerateArray())
            {
                if (ApiJson.ReadId(item) is { } editId)
                {
                    ids.Add(editId);
                }
            }
        }

        return ids;
    }

    private static List<TweetReference> ReadReferences(JsonElement tweet)
    {
        var references = new List<TweetReference>();
        if (ApiJson.TryGetAny(tweet, out var items, "referenced_tweets", "referenced_posts")
            && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                var type = ApiJson.GetString(item, "type");
                var referencedId = ApiJson.GetId(item, "id");
                if (type is not null && referencedId is { } value)
                {
                    references.Add(new TweetReference(type, value));
                }
            }
        }

        return references;
    }
}

/// <summary>A link to another tweet: <c>retweeted</c>, <c>quoted</c> or <c>replied_to</c>.</summary>
public sealed record TweetReference(string Type, long Id)
{
    /// <summary>The <see cref="Type"/> of a retweet's link to its original.</summary>
    public const string Retweeted = "retweeted";
}

/// <summary>The engagement counts the API reported when the tweet was collected.</summary>
public sealed record PublicMetrics(long? RetweetCount, long? ReplyCount, long? LikeCount, long? QuoteCount, long? ImpressionCount, long? BookmarkCount)
{
    /// <summary>Reads a <c>public_metrics</c> object.</summary>
    public static PublicMetrics Parse(JsonElement metrics) => new(
        ApiJson.GetInt64(metrics, "retweet_count"),
        ApiJson.GetInt64(metrics, "reply_count"),
        ApiJson.GetInt64(metrics, "like_count"),
        ApiJson.GetInt64(metrics, "quote_count"),
        ApiJson.GetInt64(metrics, "impression_count"),
        ApiJson.GetInt64(metrics, "bookmark_count"));
}
