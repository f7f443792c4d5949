using Microsoft.Extensions.Logging;

namespace Pipeline.PostgresWriter;

/// <summary>Log messages of the Postgres writer, with event ids 3000-3999.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "Wrote {TweetCount} tweets and {UserCount} users from {MessageCount} messages; {SkippedTweetCount} tweets were older than the stored version and left unchanged")]
    public static partial void BatchWritten(ILogger logger, int tweetCount, int userCount, int messageCount, int skippedTweetCount);

    [LoggerMessage(3001, LogLevel.Information, "Replaced {CharacterCount} U+0000 characters with U+FFFD in {MessageCount} messages (first message {MessageId}), because PostgreSQL text and jsonb cannot store U+0000")]
    public static partial void NullCharactersReplaced(ILogger logger, int characterCount, int messageCount, long messageId);
}
