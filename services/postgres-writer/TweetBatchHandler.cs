using Microsoft.Extensions.Logging;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;

namespace Pipeline.PostgresWriter;

/// <summary>
/// The queue subscriber: reads each message of a batch into tweets and users, or a deletion, and
/// writes the valid ones together. A message that is not a valid envelope or deletion comes back as a
/// <see cref="MessageFailure"/>, so the queue retries and then dead-letters it alone.
/// </summary>
internal sealed class TweetBatchHandler(TweetStore store, ILogger<TweetBatchHandler> logger) : IQueueHandler
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        var batch = new TweetBatch();
        var failures = new List<MessageFailure>();
        var replacedCharacters = 0;
        var replacedMessages = new List<long>();

        foreach (var message in messages)
        {
            EnvelopeContent content;
            try
            {
                content = EnvelopeReader.Read(message);
            }
            catch (Exception ex) when (EnvelopeReader.IsInvalidContent(ex))
            {
                // The consumer logs every returned failure with its message id and this reason.
                failures.Add(new MessageFailure(message.Id, $"Invalid tweet envelope or deletion: {ex.Message}"));
                continue;
            }

            batch.Add(content);
            if (content.NullCharactersReplaced > 0)
            {
                replacedCharacters += content.NullCharactersReplaced;
                replacedMessages.Add(message.Id);
            }
        }

        if (batch.IsEmpty)
        {
            return failures;
        }

        var result = await store.WriteAsync(batch, cancellationToken);
        Log.BatchWritten(logger, result.TweetsWritten, result.UsersWritten, batch.MessageCount, result.TweetsSkipped);
        if (batch.Deletions.Count > 0)
        {
            Log.DeletionsApplied(logger, batch.Deletions.Count, store.DeletionMode, result.DeletionsApplied);
        }
        if (replacedCharacters > 0)
        {
            Log.NullCharactersReplaced(logger, replacedCharacters, replacedMessages.Count, replacedMessages[0]);
        }

        return failures;
    }
}
