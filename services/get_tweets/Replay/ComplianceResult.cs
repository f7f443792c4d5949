using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Replay;

/// <summary>
/// Reads one line of a batch compliance job's result file. The X API's OpenAPI spec describes the
/// job (<c>ComplianceJob</c>, with its <c>download_url</c>) but not the result lines. Recorded results
/// carry one JSON object per line, such as
/// <c>{"id":"1170147183095664640","action":"delete","created_at":"2019-09-07T01:30:03.390Z","redacted_at":"2021-08-17T17:26:15.788Z","reason":"deactivated"}</c>,
/// where <c>created_at</c> is the tweet's and <c>redacted_at</c> is absent for some reasons (<c>protected</c>).
/// </summary>
internal static class ComplianceResult
{
    /// <summary>The <c>action</c> of a line whose tweet must be removed.</summary>
    public const string DeleteAction = "delete";

    /// <summary>
    /// Returns the deletion that a result line requests, or null when its <c>action</c> is not
    /// <see cref="DeleteAction"/>. Its time is <c>redacted_at</c> when the line has it, else
    /// <paramref name="readAt"/>. Throws <see cref="FormatException"/> naming the problem when the line
    /// is not an object or its id, action, reason or <c>redacted_at</c> is missing or invalid.
    /// </summary>
    public static TweetDeletion? Parse(JsonElement line, CollectionSource source, DateTimeOffset readAt)
    {
        if (line.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"The line is a JSON {line.ValueKind}, not a compliance result (a JSON object).");
        }

        var id = ReadString(line, "id");
        if (!TweetDeletion.IsTweetId(id))
        {
            throw new FormatException($"The compliance result's id '{id}' is not a tweet id (a positive 64-bit decimal integer as a string).");
        }

        var action = ReadString(line, "action")
            ?? throw new FormatException($"The compliance result for tweet {id} has no 'action'.");
        if (action != DeleteAction)
        {
            return null;
        }

        var reason = ReadString(line, "reason");
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new FormatException($"The compliance result for tweet {id} has no 'reason'.");
        }

        var redactedAt = ApiJson.GetTimestamp(line, "redacted_at");
        return new TweetDeletion(id!, reason, source, redactedAt ?? readAt);
    }

    // A number or an object where a string belongs is reported as invalid rather than read as missing.
    private static string? ReadString(JsonElement line, string name)
    {
        if (!line.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FormatException($"The compliance result's '{name}' is a JSON {value.ValueKind}, not a string.");
    }
}
