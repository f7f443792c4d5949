using System.Text.Json;

namespace Pipeline.Core.Tweets;

/// <summary>
/// Hashtags, cashtags, mentions and links found in a tweet's text. Start and end are the API's
/// positions in Unicode code points (end exclusive), which is also how PostgreSQL's
/// <c>substr</c> counts characters in a UTF-8 database.
/// </summary>
public sealed record TweetEntities(
    IReadOnlyList<TagEntity> Hashtags,
    IReadOnlyList<TagEntity> Cashtags,
    IReadOnlyList<MentionEntity> Mentions,
    IReadOnlyList<UrlEntity> Urls)
{
    /// <summary>A tweet without entities.</summary>
    public static TweetEntities Empty { get; } = new([], [], [], []);

    /// <summary>
    /// Reads the entities whose offsets point into the full text of a raw tweet object. A long
    /// post carries the entities of its whole text in <c>note_tweet.entities</c> (or
    /// <c>note_post.entities</c>), while the top-level <c>entities</c> cover only the first 280
    /// characters.
    /// </summary>
    public static TweetEntities ParseFullText(JsonElement tweet)
    {
        if (ApiJson.TryGetAny(tweet, out var note, "note_tweet", "note_post")
            && note.ValueKind == JsonValueKind.Object
            && note.TryGetProperty("entities", out var noteEntities)
            && noteEntities.ValueKind == JsonValueKind.Object)
        {
            return Parse(noteEntities);
        }

        return tweet.TryGetProperty("entities", out var entities) && entities.ValueKind == JsonValueKind.Object
            ? Parse(entities)
            : Empty;
    }

    /// <summary>Reads an <c>entities</c> object.</summary>
    public static TweetEntities Parse(JsonElement entities) => new(
        ReadAll(entities, "hashtags", TagEntity.Parse),
        ReadAll(entities, "cashtags", TagEntity.Parse),
        ReadAll(entities, "mentions", MentionEntity.Parse),
        ReadAll(entities, "urls", UrlEntity.Parse));

    private static List<T> ReadAll<T>(JsonElement entities, string name, Func<JsonElement, T?> parse)
        where T : class
    {
        var items = new List<T>();
        if (entities.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in array.EnumerateArray())
            {
                if (parse(element) is { } item)
                {
                    items.Add(item);
                }
            }
        }

        return items;
    }
}

/// <summary>A hashtag or cashtag, without its leading <c>#</c> or <c>$</c>.</summary>
public sealed record TagEntity(string Tag, int? Start, int? End)
{
    internal static TagEntity? Parse(JsonElement element) =>
        ApiJson.GetString(element, "tag") is { } tag
            ? new TagEntity(tag, (int?)ApiJson.GetInt64(element, "start"), (int?)ApiJson.GetInt64(element, "end"))
            : null;
}

/// <summary>A mention of a user; the id is present when the API resolved the username.</summary>
public sealed record MentionEntity(string Username, long? UserId, int? Start, int? End)
{
    internal static MentionEntity? Parse(JsonElement element) =>
        ApiJson.GetString(element, "username") is { } username
            ? new MentionEntity(username, ApiJson.GetId(element, "id"), (int?)ApiJson.GetInt64(element, "start"), (int?)ApiJson.GetInt64(element, "end"))
            : null;
}

/// <summary>A link: the t.co address in the text, where it expands to, and where it finally led.</summary>
public sealed record UrlEntity(string Url, string? ExpandedUrl, string? DisplayUrl, string? UnwoundUrl, string? Title, int? Start, int? End)
{
    internal static UrlEntity? Parse(JsonElement element) =>
        ApiJson.GetString(element, "url") is { } url
            ? new UrlEntity(
                url,
                ApiJson.GetString(element, "expanded_url"),
                ApiJson.GetString(element, "display_url"),
                ApiJson.GetString(element, "unwound_url"),
                ApiJson.GetString(element, "title"),
                (int?)ApiJson.GetInt64(element, "start"),
                (int?)ApiJson.GetInt64(element, "end"))
            : null;
}
