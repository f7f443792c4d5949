using Microsoft.Extensions.Logging;

namespace Pipeline.Slackbot;

/// <summary>Log messages of the Slack bot; event ids 5000-5999. None of them contains the webhook URL, only its host.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Slack bot posting to the incoming webhook on {Host}: tweets that match {Rules}; digest: {Digest}")]
    public static partial void Started(ILogger logger, string host, string rules, string digest);

    [LoggerMessage(5001, LogLevel.Debug, "Posted tweet {TweetId} of message {MessageId} to Slack")]
    public static partial void TweetPosted(ILogger logger, long tweetId, long messageId);

    [LoggerMessage(5002, LogLevel.Information, "{MatchCount} of {MessageCount} messages matched the rules: {PostedCount} posted, {AlreadyPostedCount} posted before, {UnknownCount} with an unknown outcome, {RejectedCount} rejected by Slack, {SkippedCount} skipped")]
    public static partial void BatchPosted(ILogger logger, int messageCount, int matchCount, int postedCount, int alreadyPostedCount, int unknownCount, int rejectedCount, int skippedCount);

    [LoggerMessage(5003, LogLevel.Warning, "Tweet {TweetId} is not posted again: an earlier post of it started, but the bot stopped or timed out before Slack responded, so it may or may not be in the channel")]
    public static partial void EarlierOutcomeUnknown(ILogger logger, long tweetId);

    [LoggerMessage(5004, LogLevel.Warning, "The post of tweet {TweetId} may or may not have reached Slack ({Detail}); it is not posted again, so that it cannot appear twice")]
    public static partial void PostOutcomeUnknown(ILogger logger, long tweetId, string detail);

    [LoggerMessage(5005, LogLevel.Error, "Slack rejected the incoming webhook on {Host} with HTTP {StatusCode} {SlackError}: {Meaning}. The bot stops posting and acknowledges its queue batches without posting, so that it does not hold back the queue. Set Slack__WebhookUrl (SLACK_WEBHOOK_URL in .env) or Slack__WebhookUrlFile to a working incoming webhook URL and restart the bot")]
    public static partial void WebhookDead(ILogger logger, string host, int statusCode, string slackError, string meaning);

    [LoggerMessage(5006, LogLevel.Warning, "Skipped {SkippedCount} matching tweets without posting, {TotalSkipped} since the webhook failed. {Reason}")]
    public static partial void SkippedWhileDead(ILogger logger, int skippedCount, long totalSkipped, string reason);

    [LoggerMessage(5007, LogLevel.Warning, "Slack responded HTTP 429 Too Many Requests; waiting {RetryAfter} as its Retry-After header requests, then retry {Attempt}")]
    public static partial void RateLimited(ILogger logger, TimeSpan retryAfter, int attempt);

    [LoggerMessage(5008, LogLevel.Warning, "Slack post failed ({Outcome}); retry {Attempt} in {Delay}")]
    public static partial void PostRetrying(ILogger logger, string outcome, int attempt, TimeSpan delay);

    [LoggerMessage(5009, LogLevel.Warning, "Deleting the reservation of tweet {TweetId} failed while the bot stopped; the tweet counts as posted with an unknown outcome and is not posted")]
    public static partial void ReleaseFailed(ILogger logger, long tweetId, Exception exception);

    [LoggerMessage(5010, LogLevel.Information, "Posting a digest of the top {DigestSize} tweets every {Interval}; the next at {NextAt:O}")]
    public static partial void DigestScheduled(ILogger logger, int digestSize, TimeSpan interval, DateTimeOffset nextAt);

    [LoggerMessage(5011, LogLevel.Information, "Posted the digest of {PeriodStart:O} to {PeriodEnd:O} with {TweetCount} tweets")]
    public static partial void DigestPosted(ILogger logger, DateTimeOffset periodStart, DateTimeOffset periodEnd, int tweetCount);

    [LoggerMessage(5012, LogLevel.Information, "No tweets to list in the digest of {PeriodStart:O} to {PeriodEnd:O}; nothing posted")]
    public static partial void DigestEmpty(ILogger logger, DateTimeOffset periodStart, DateTimeOffset periodEnd);

    [LoggerMessage(5013, LogLevel.Information, "The digest of {PeriodStart:O} was posted or started before; it is not posted again")]
    public static partial void DigestAlreadyPosted(ILogger logger, DateTimeOffset periodStart);

    [LoggerMessage(5014, LogLevel.Error, "The digest of {PeriodStart:O} to {PeriodEnd:O} was not posted: {Detail}")]
    public static partial void DigestNotPosted(ILogger logger, DateTimeOffset periodStart, DateTimeOffset periodEnd, string detail);

    [LoggerMessage(5015, LogLevel.Error, "The digest of {PeriodStart:O} to {PeriodEnd:O} failed; the next period's digest is due at {NextAt:O}")]
    public static partial void DigestFailed(ILogger logger, DateTimeOffset periodStart, DateTimeOffset periodEnd, DateTimeOffset nextAt, Exception exception);

    [LoggerMessage(5016, LogLevel.Warning, "The digest of {PeriodStart:O} to {PeriodEnd:O} may or may not have reached Slack ({Detail}); it is not posted again")]
    public static partial void DigestOutcomeUnknown(ILogger logger, DateTimeOffset periodStart, DateTimeOffset periodEnd, string detail);
}
