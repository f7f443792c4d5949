using System.Text.Json;
using Pipeline.Core.Tweets;
using Pipeline.Slackbot.Messages;
using Xunit;

namespace Pipeline.Slackbot.Tests;

public sealed class BlockKitMessagesTests
{
    private static readonly TweetPost Post = new(
        1440716895355764743,
        "Fish & chips <3 @channel",
        new DateTimeOffset(2021, 9, 22, 16, 37, 29, TimeSpan.Zero),
        4203239195,
        "Ada <Lovelace>",
        "ada_l",
        new PublicMetrics(RetweetCount: 3, ReplyCount: 4, LikeCount: 12, QuoteCount: 1, ImpressionCount: 900, BookmarkCount: 2));

    [Fact]
    public void ForTweet_OneTweet_ExactJson()
    {
        var json = BlockKitMessages.ForTweet(Post);

        const string Expected = """
            {"text":"Ada &lt;Lovelace&gt; (@ada_l): Fish &amp; chips &lt;3 @channel","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Ada &lt;Lovelace&gt;* @ada_l","verbatim":true}},{"type":"section","text":{"type":"mrkdwn","text":"Fish &amp; chips &lt;3 @channel","verbatim":true}},{"type":"context","elements":[{"type":"mrkdwn","text":"Likes 12 · Retweets 3 · Quotes 1 · Replies 4","verbatim":true},{"type":"mrkdwn","text":"<https://x.com/ada_l/status/1440716895355764743|View on X> · 2021-09-22 16:37 UTC","verbatim":true}]}]}
            """;
        Assert.Equal(Expected, json);
    }

    [Fact]
    public void ForTweet_NotificationText_Escaped()
    {
        var json = BlockKitMessages.ForTweet(Post);

        using var document = JsonDocument.Parse(json);
        Assert.Equal("Ada &lt;Lovelace&gt; (@ada_l): Fish &amp; chips &lt;3 @channel", document.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void ForTweet_UnknownAuthor_LinksThroughIWeb()
    {
        var json = BlockKitMessages.ForTweet(Post with { AuthorName = null, AuthorUsername = null });

        using var document = JsonDocument.Parse(json);
        var blocks = document.RootElement.GetProperty("blocks");
        Assert.Equal("*Unknown author* (user id 4203239195)", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.StartsWith("<https://x.com/i/web/status/1440716895355764743|", blocks[2].GetProperty("elements")[1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ForTweet_UsernameWithLinkSyntax_LinksThroughIWeb()
    {
        var json = BlockKitMessages.ForTweet(Post with { AuthorUsername = "x|evil>" });

        Assert.Contains("<https://x.com/i/web/status/1440716895355764743|View on X>", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTweet_LongText_SectionWithinLimit()
    {
        var json = BlockKitMessages.ForTweet(Post with { FullText = string.Concat(Enumerable.Repeat("<&> ", 2000)) });

        using var document = JsonDocument.Parse(json);
        var text = document.RootElement.GetProperty("blocks")[1].GetProperty("text").GetProperty("text").GetString()!;
        Assert.True(text.Length <= SlackText.MaxSectionLength, $"Length {text.Length}");
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTweet_NoMetrics_SaysSo()
    {
        var json = BlockKitMessages.ForTweet(Post with { Metrics = null });

        Assert.Contains("Counts were not collected", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ForDigest_ThreeTweets_HeaderAndTwoBlocksEach()
    {
        var posts = new[] { Post, Post with { TweetId = 2 }, Post with { TweetId = 3 } };

        var json = BlockKitMessages.ForDigest(new DateTimeOffset(2024, 1, 1, 14, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 1, 15, 0, 0, TimeSpan.Zero), posts);

        using var document = JsonDocument.Parse(json);
        var blocks = document.RootElement.GetProperty("blocks");
        Assert.Equal(7, blocks.GetArrayLength());
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("Top 3 posts by engagement, 2024-01-01 14:00 to 2024-01-01 15:00 UTC", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.StartsWith("2. *Ada &lt;Lovelace&gt;* @ada_l\nFish &amp; chips", blocks[3].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("/status/3|View on X>", blocks[6].GetProperty("elements")[1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ForDigest_MaxSize_WithinFiftyBlocks()
    {
        var posts = Enumerable.Range(1, SlackOptions.MaxDigestSize).Select(i => Post with { TweetId = i }).ToList();

        var json = BlockKitMessages.ForDigest(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), posts);

        using var document = JsonDocument.Parse(json);
        Assert.True(document.RootElement.GetProperty("blocks").GetArrayLength() <= 50);
    }
}
