using Microsoft.Extensions.Logging;
using Pipeline.Core.Tweets;

namespace Pipeline.PostgresWriter;

/// <summary>Log messages of the Postgres writer, with event ids 3000-3999.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "Wrote {TweetCount} tweets and {UserCount} users from {MessageCount} messages; {SkippedTweetCount} tweets were older than the stored version and left unchanged")]
    public static partial void BatchWritten(ILogger logger, int tweetCount, int userCount, int messageCount, int skippedTweetCount);

    [LoggerMessage(3001, LogLevel.Information, "Replaced {CharacterCount} U+0000 characters with U+FFFD in {MessageCount} messages (first message {MessageId}), because PostgreSQL text and jsonb cannot store U+0000")]
    public static partial void NullCharactersReplaced(ILogger logger, int characterCount, int messageCount, long messageId);

    [LoggerMessage(3002, LogLevel.Information, "Applied {DeletionCount} deletions ({Mode} mode) and changed {TweetCount} stored tweets")]
    public static partial void DeletionsApplied(ILogger logger, int deletionCount, DeletionMode mode, int tweetCount);

    [LoggerMessage(3003, LogLevel.Information, "The analyst role can log in with the password of Database:AnalystPassword or Database:AnalystPasswordFile")]
    public static partial void AnalystLoginEnabled(ILogger logger);

    [LoggerMessage(3004, LogLevel.Information, "Database:AnalystPassword is empty, so the analyst role cannot log in")]
    public static partial void AnalystLoginDisabled(ILogger logger);

    [LoggerMessage(3010, LogLevel.Information, "Rescoring {OutdatedCount} tweets whose sentiment scores are missing or not from lexicon {LexiconVersion}, {BatchSize} per batch")]
    public static partial void RescoreStarting(ILogger logger, long outdatedCount, string lexiconVersion, int batchSize);

    [LoggerMessage(3011, LogLevel.Information, "Rescored {ExaminedCount} of about {OutdatedCount} tweets, up to tweet id {LastTweetId}")]
    public static partial void RescoreProgress(ILogger logger, long examinedCount, long outdatedCount, long lastTweetId);

    [LoggerMessage(3012, LogLevel.Information, "Rescore finished: wrote scores of lexicon {LexiconVersion} for {RescoredCount} tweets and left {SkippedCount} that the writer had scored meanwhile, in {Elapsed} ({TweetsPerSecond} tweets/s)")]
    public static partial void RescoreFinished(ILogger logger, long rescoredCount, long skippedCount, string lexiconVersion, TimeSpan elapsed, double tweetsPerSecond);

    [LoggerMessage(3013, LogLevel.Warning, "Rescore stopped before it finished; the batches written so far are kept, and running `rescore` again continues with the rest")]
    public static partial void RescoreStopped(ILogger logger);
}
