using System.Globalization;
using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Pages;

/// <summary>The objects of a page's <c>includes</c>, indexed by the keys that tweets refer to them with.</summary>
internal sealed class IncludedObjects
{
    private IncludedObjects()
    {
    }

    /// <summary>Users by id (decimal text).</summary>
    public Dictionary<string, JsonElement> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>Tweets in their order in <c>includes.tweets</c>.</summary>
    public List<JsonElement> Tweets { get; } = [];

    /// <summary>Media by <c>media_key</c>.</summary>
    public Dictionary<string, JsonElement> Media { get; } = new(StringComparer.Ordinal);

    /// <summary>Places by id (a hexadecimal string).</summary>
    public Dictionary<string, JsonElement> Places { get; } = new(StringComparer.Ordinal);

    /// <summary>Polls by id.</summary>
    public Dictionary<string, JsonElement> Polls { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the page has no included objects.</summary>
    public bool IsEmpty => Users.Count == 0 && Tweets.Count == 0 && Media.Count == 0 && Places.Count == 0 && Polls.Count == 0;

    /// <summary>Reads <c>includes</c>; the newest spec's <c>posts</c> is read as well as <c>tweets</c>.</summary>
    public static IncludedObjects Read(JsonElement page)
    {
        var result = new IncludedObjects();
        if (!page.TryGetProperty("includes", out var includes) || includes.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        Index(includes, "users", "id", result.Users);
        Index(includes, "media", "media_key", result.Media);
        Index(includes, "places", "id", result.Places);
        Index(includes, "polls", "id", result.Polls);
        if (ApiJson.TryGetAny(includes, out var tweets, "tweets", "posts") && tweets.ValueKind == JsonValueKind.Array)
        {
            result.Tweets.AddRange(tweets.EnumerateArray());
        }

        return result;
    }

    /// <summary>Returns the included user with <paramref name="id"/>, or null when the page did not include it.</summary>
    public JsonElement? FindUser(long? id) =>
        id is { } value && Users.TryGetValue(value.ToString(CultureInfo.InvariantCulture), out var user) ? user : null;

    /// <summary>Returns the included objects named by the array <paramref name="keysProperty"/> of <paramref name="owner"/>, skipping keys the page did not include.</summary>
    public static List<JsonElement> FindAll(Dictionary<string, JsonElement> index, JsonElement owner, string keysProperty)
    {
        var found = new List<JsonElement>();
        if (owner.ValueKind == JsonValueKind.Object
            && owner.TryGetProperty(keysProperty, out var keys)
            && keys.ValueKind == JsonValueKind.Array)
        {
            foreach (var key in keys.EnumerateArray())
            {
                if (KeyText(key) is { } text && index.TryGetValue(text, out var item))
                {
                    found.Add(item);
                }
            }
        }

        return found;
    }

    private static void Index(JsonElement includes, string name, string keyProperty, Dictionary<string, JsonElement> index)
    {
        if (!includes.TryGetProperty(name, out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty(keyProperty, out var key)
                && KeyText(key) is { } text)
            {
                index.TryAdd(text, item);
            }
        }
    }

    /// <summary>Returns an id or key as text. Ids are strings in the API; a number (as some archives write them) is kept as its digits.</summary>
    public static string? KeyText(JsonElement key) => key.ValueKind switch
    {
        JsonValueKind.String => key.GetString(),
        JsonValueKind.Number => key.GetRawText(),
        _ => null,
    };
}
