using System.Text.Json;

namespace Pipeline.Core.Tweets;

/// <summary>The typed view of an X API v2 user object.</summary>
public sealed record TwitterUser(
    long Id,
    string? Username,
    string? Name,
    DateTimeOffset? CreatedAt,
    string? Description,
    string? Location,
    bool? Verified,
    string? VerifiedType,
    bool? Protected,
    string? ProfileImageUrl,
    long? FollowersCount,
    long? FollowingCount,
    long? TweetCount,
    long? ListedCount)
{
    /// <summary>Parses a raw user object; throws <see cref="KeyNotFoundException"/> when it has no id.</summary>
    public static TwitterUser Parse(JsonElement user)
    {
        var id = ApiJson.GetId(user, "id") ?? throw new KeyNotFoundException("The user has no 'id'.");
        var hasMetrics = user.TryGetProperty("public_metrics", out var metrics);

        return new TwitterUser(
            id,
            ApiJson.GetString(user, "username"),
            ApiJson.GetString(user, "name"),
            ApiJson.GetTimestamp(user, "created_at"),
            ApiJson.GetString(user, "description"),
            ApiJson.GetString(user, "location"),
            ApiJson.GetBool(user, "verified"),
            ApiJson.GetString(user, "verified_type"),
            ApiJson.GetBool(user, "protected"),
            ApiJson.GetString(user, "profile_image_url"),
            hasMetrics ? ApiJson.GetInt64(metrics, "followers_count") : null,
            hasMetrics ? ApiJson.GetInt64(metrics, "following_count") : null,
            hasMetrics ? ApiJson.GetInt64(metrics, "tweet_count") : null,
            hasMetrics ? ApiJson.GetInt64(metrics, "listed_count") : null);
    }
}
