using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Slackbot.Messages;

/// <summary>
/// Builds the JSON bodies that the bot posts to the incoming webhook, in Slack's Block Kit.
/// Every text from a tweet goes into <c>mrkdwn</c> escaped and with <c>verbatim</c> set, so
/// Slack neither links channel names nor turns <c>@channel</c> in a tweet into a mention.
/// </summary>
internal static class BlockKitMessages
{
    /// <summary>The maximum number of characters of a tweet's text in a digest, so that twenty entries stay readable.</summary>
    public const int DigestTextLength = 600;

    /// <summary>The maximum number of characters of the plain text that Slack shows in notifications.</summary>
    public const int NotificationTextLength = 200;

    /// <summary>The maximum number of characters of a header block's text (Slack's Block Kit reference, "Header block").</summary>
    public const int MaxHeaderLength = 150;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Keeps non-ASCII text readable in the body; JSON does not need it escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Builds the message of one tweet: the author, the full text (escaped, cut within Slack's
    /// 3000-character section limit), the counts, and a link to the post with its time.
    /// </summary>
    public static string ForTweet(TweetPost post)
    {
        var message = new JsonObject
        {
            ["text"] = SlackText.EscapeAndCut($"{AuthorPlainText(post)}: {post.FullText}", NotificationTextLength),
            ["unfurl_links"] = false,
            ["unfurl_media"] = false,
            ["blocks"] = new JsonArray(
                Section(AuthorLine(post)),
                Section(TweetText(post, SlackText.MaxSectionLength)),
                Context(MetricsLine(post), LinkLine(post))),
        };
        return message.ToJsonString(JsonOptions);
    }

    /// <summary>
    /// Builds the digest of a period: a header, then per tweet a section with its rank, author
    /// and text (cut at <see cref="DigestTextLength"/>) and a context line with its counts and link.
    /// </summary>
    public static string ForDigest(DateTimeOffset periodStart, DateTimeOffset periodEnd, IReadOnlyList<TweetPost> posts)
    {
        var title = string.Create(
            CultureInfo.InvariantCulture,
            $"Top {posts.Count} posts by engagement, {FormatTime(periodStart)} to {FormatTime(periodEnd)} UTC");
        var blocks = new JsonArray(new JsonObject
        {
            ["type"] = "header",
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = title.Length <= MaxHeaderLength ? title : title[..MaxHeaderLength] },
        });

        for (var i = 0; i < posts.Count; i++)
        {
            var rank = (i + 1).ToString(CultureInfo.InvariantCulture);
            blocks.Add(Section($"{rank}. {AuthorLine(posts[i])}\n{TweetText(posts[i], DigestTextLength)}"));
            blocks.Add(Context(MetricsLine(posts[i]), LinkLine(posts[i])));
        }

        var message = new JsonObject
        {
            ["text"] = SlackText.Escape(title),
            ["unfurl_links"] = false,
            ["unfurl_media"] = false,
            ["blocks"] = blocks,
        };
        return message.ToJsonString(JsonOptions);
    }

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = Mrkdwn(mrkdwn),
    };

    private static JsonObject Context(params string[] mrkdwnElements) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray([.. mrkdwnElements.Select(text => (JsonNode)Mrkdwn(text))]),
    };

    private static JsonObject Mrkdwn(string text) => new()
    {
        ["type"] = "mrkdwn",
        ["text"] = text,
        ["verbatim"] = true,
    };

    /// <summary>Formats the author as "*Name* @username", escaped, or by user id when the page did not include the author.</summary>
    private static string AuthorLine(TweetPost post)
    {
        var name = string.IsNullOrWhiteSpace(post.AuthorName) ? post.AuthorUsername : post.AuthorName;
        if (name is null)
        {
            return post.AuthorId is { } id
                ? string.Create(CultureInfo.InvariantCulture, $"*Unknown author* (user id {id})")
                : "*Unknown author*";
        }

        var line = $"*{SlackText.Escape(name)}*";
        return string.IsNullOrEmpty(post.AuthorUsername) ? line : $"{line} @{SlackText.Escape(post.AuthorUsername)}";
    }

    private static string AuthorPlainText(TweetPost post) => (post.AuthorName, post.AuthorUsername) switch
    {
        ({ Length: > 0 } name, { Length: > 0 } username) => $"{name} (@{username})",
        (_, { Length: > 0 } username) => $"@{username}",
        ({ Length: > 0 } name, _) => name,
        _ => "Unknown author",
    };

    // A section's text must not be empty.
    private static string TweetText(TweetPost post, int maxLength) =>
        string.IsNullOrWhiteSpace(post.FullText) ? "_(no text)_" : SlackText.EscapeAndCut(post.FullText, maxLength);

    private static string MetricsLine(TweetPost post) => post.Metrics is { } metrics
        ? string.Create(
            CultureInfo.InvariantCulture,
            $"Likes {metrics.LikeCount ?? 0} · Retweets {metrics.RetweetCount ?? 0} · Quotes {metrics.QuoteCount ?? 0} · Replies {metrics.ReplyCount ?? 0}")
        : "Counts were not collected";

    private static string LinkLine(TweetPost post) => post.CreatedAt is { } createdAt
        ? $"<{post.Link}|View on X> · {FormatTime(createdAt)} UTC"
        : $"<{post.Link}|View on X>";

    private static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
