using System.Globalization;
using Pipeline.Core.Tweets;

namespace Pipeline.Slackbot.Messages;

/// <summary>What a Slack message shows of one tweet: its author, full text, time, link and counts.</summary>
/// <param name="AuthorName">The author's display name, or null when the author was not delivered.</param>
/// <param name="AuthorUsername">The author's @username without the @, or null when the author was not delivered.</param>
/// <param name="Metrics">The counts when the tweet was collected, or null when the API did not return them.</param>
internal sealed record TweetPost(
    long TweetId,
    string FullText,
    DateTimeOffset? CreatedAt,
    long? AuthorId,
    string? AuthorName,
    string? AuthorUsername,
    PublicMetrics? Metrics)
{
    /// <summary>
    /// The address of the post on X: under the author's username, or under <c>i/web</c>, which X
    /// redirects to the post, when the username is unknown or has characters that X does not
    /// allow in usernames (only letters, digits and underscores), which could break the link.
    /// </summary>
    public string Link => string.Create(
        CultureInfo.InvariantCulture,
        $"https://x.com/{(IsValidUsername(AuthorUsername) ? AuthorUsername : "i/web")}/status/{TweetId}");

    /// <summary>Builds the post of a parsed tweet and its author, when the page included the author.</summary>
    public static TweetPost From(Tweet tweet, TwitterUser? author) => new(
        tweet.Id,
        tweet.FullText,
        tweet.CreatedAt,
        tweet.AuthorId ?? author?.Id,
        author?.Name,
        author?.Username,
        tweet.Metrics);

    private static bool IsValidUsername(string? username) =>
        !string.IsNullOrEmpty(username) && username.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
