using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>
/// Stores each queued tweet envelope as one document in <c>tweets</c> and its authors in
/// <c>users</c>, and applies each queued deletion in the <see cref="DeletionOptions.Mode"/> configured. A
/// message whose content cannot be stored (invalid JSON, a tweet without id, a document that fails
/// the <see cref="TweetSchema"/> validator or is above MongoDB's 16 MiB limit, a document the server
/// rejects) is returned as a failure, and the rest of the batch is still written.
/// </summary>
/// <remarks>
/// A batch runs in this order. The deletions' tombstones are stored first. The tweets are then
/// mapped, and a tweet whose id has a tombstone is marked deleted (flag mode) or not stored at all
/// (remove mode, which also sets to null the embedded copies of tombstoned referenced tweets). After
/// the writes, the tombstones of every id in the batch are read again and applied to the stored
/// tweets. That second pass covers a tombstone that another writer stored while this batch was
/// being written, so a deleted tweet never comes back.
/// </remarks>
internal sealed class MongoWriterHandler(ITweetStore store, IOptions<DeletionOptions> deletionOptions, ILogger<MongoWriterHandler> logger) : IQueueHandler
{
    private readonly DeletionMode mode = deletionOptions.Value.SelectedMode;

    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        var failures = new Dictionary<long, string>();
        var envelopes = new List<(long MessageId, TweetEnvelope Envelope)>(messages.Count);
        var deletions = new List<(long MessageId, TweetDeletion Deletion)>();
        foreach (var message in messages)
        {
            try
            {
                var parsed = TweetMessage.Parse(message.Payload);
                if (parsed.Deletion is { } deletion)
                {
                    deletions.Add((message.Id, deletion));
                }
                else
                {
                    envelopes.Add((message.Id, parsed.Tweet!));
                }
            }
            catch (Exception ex) when (IsContentError(ex))
            {
                failures[message.Id] = $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        var recorded = await AddTombstonesAsync(deletions, failures, cancellationToken);
        var batch = MapTweets(envelopes, failures);
        var known = await store.FindTombstonesAsync(batch.InvolvedIds(), cancellationToken);
        var deletedOnArrival = batch.ApplyKnownTombstones(known, mode);
        CheckSchema(batch, failures);

        var tweetOutcomes = await store.UpsertTweetsAsync(batch.Tweets, cancellationToken);
        for (var i = 0; i < tweetOutcomes.Count; i++)
        {
            if (tweetOutcomes[i] is { Status: UpsertStatus.Failed, Error: var error })
            {
                failures[batch.TweetMessageIds[i]] = $"Tweet {batch.Tweets[i]["_id"].AsString}: {error}";
            }
        }

        // A user document that the server rejects fails the messages that carried it, so that
        // they are retried; writing their tweets again does no harm.
        var userOutcomes = await store.UpsertUsersAsync(batch.Users.Documents, cancellationToken);
        for (var i = 0; i < userOutcomes.Count; i++)
        {
            if (userOutcomes[i] is { Status: UpsertStatus.Failed, Error: var error })
            {
                foreach (var messageId in batch.Users.MessageIds[i])
                {
                    failures.TryAdd(messageId, $"User {batch.Users.Documents[i]["_id"].AsString}: {error}");
                }
            }
        }

        var applied = await ApplyDeletionsAsync(batch, recorded, deletions, envelopes, failures, cancellationToken);

        MongoWriterLog.BatchWritten(
            logger,
            messages.Count,
            tweetOutcomes.Count(o => o.Status == UpsertStatus.Written),
            tweetOutcomes.Count(o => o.Status == UpsertStatus.AlreadyNewer),
            failures.Count,
            userOutcomes.Count(o => o.Status == UpsertStatus.Written));
        if (deletions.Count > 0 || applied > 0 || deletedOnArrival > 0)
        {
            MongoWriterLog.DeletionsApplied(logger, deletions.Count, applied, deletedOnArrival, mode);
        }

        return [.. failures.Select(f => new MessageFailure(f.Key, f.Value))];
    }

    /// <inheritdoc />
    public bool IsTransient(Exception exception) => MongoTransient.IsTransient(exception);

    /// <summary>Stores the tombstones of the batch's deletions and returns the ids of those stored.</summary>
    private async Task<List<string>> AddTombstonesAsync(
        List<(long MessageId, TweetDeletion Deletion)> deletions,
        Dictionary<long, string> failures,
        CancellationToken cancellationToken)
    {
        var outcomes = await store.AddTombstonesAsync([.. deletions.Select(d => d.Deletion)], cancellationToken);
        var recorded = new List<string>(deletions.Count);
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i] is { Status: UpsertStatus.Failed, Error: var error })
            {
                failures[deletions[i].MessageId] = $"Deletion of tweet {deletions[i].Deletion.Id}: {error}";
            }
            else
            {
                recorded.Add(deletions[i].Deletion.Id);
            }
        }

        return recorded;
    }

    /// <summary>
    /// Applies the stored tombstones of every id in the batch: the recorded deletions, the tweets
    /// written and the tweets they refer to. Returns how many tombstones were applied.
    /// </summary>
    private async Task<int> ApplyDeletionsAsync(
        TweetBatch batch,
        List<string> recorded,
        List<(long MessageId, TweetDeletion Deletion)> deletions,
        List<(long MessageId, TweetEnvelope Envelope)> envelopes,
        Dictionary<long, string> failures,
        CancellationToken cancellationToken)
    {
        var ids = batch.InvolvedIds();
        ids.UnionWith(recorded);
        var tombstones = await store.FindTombstonesAsync(ids, cancellationToken);
        if (tombstones.Count == 0)
        {
            return 0;
        }

        var errors = await store.ApplyDeletionsAsync([.. tombstones.Values], mode, cancellationToken);
        foreach (var (messageId, deletion) in deletions)
        {
            if (errors.TryGetValue(deletion.Id, out var error))
            {
                failures.TryAdd(messageId, error);
            }
        }

        foreach (var (messageId, envelope) in envelopes)
        {
            if (errors.TryGetValue(envelope.Id, out var error))
            {
                failures.TryAdd(messageId, error);
            }
        }

        return tombstones.Count - errors.Count;
    }

    private static TweetBatch MapTweets(List<(long MessageId, TweetEnvelope Envelope)> envelopes, Dictionary<long, string> failures)
    {
        var batch = new TweetBatch();
        foreach (var (messageId, envelope) in envelopes)
        {
            try
            {
                var tweet = TweetDocumentMapper.MapTweet(envelope);
                var userDocuments = TweetDocumentMapper.MapUsers(envelope);
                if (CheckSize(tweet, $"Tweet {tweet["_id"].AsString}") is { } tooLarge)
                {
                    failures[messageId] = tooLarge;
                    continue;
                }

                foreach (var user in userDocuments)
                {
                    if (CheckSize(user, $"User {user["_id"].AsString}") is { } userTooLarge)
                    {
                        throw new FormatException(userTooLarge);
                    }
                }

                batch.Add(messageId, tweet, userDocuments);
            }
            catch (Exception ex) when (IsContentError(ex))
            {
                failures[messageId] = $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        return batch;
    }

    // The server would reject these documents with code 121. Failing them here names the field,
    // and after Queue__MaxAttempts the message becomes a dead letter with this reason.
    private static void CheckSchema(TweetBatch batch, Dictionary<long, string> failures)
    {
        for (var i = batch.Tweets.Count - 1; i >= 0; i--)
        {
            if (TweetSchema.FindViolation(batch.Tweets[i]) is { } violation)
            {
                failures[batch.TweetMessageIds[i]] = $"Tweet {batch.Tweets[i].GetValue("_id", "(no id)")} {violation}.";
                batch.RemoveTweetAt(i);
            }
        }
    }

    /// <summary>Returns an error naming the size when the document is above MongoDB's limit, or null.</summary>
    private static string? CheckSize(BsonDocument document, string subject)
    {
        var size = TweetDocumentMapper.MeasureBson(document);
        return size > TweetDocumentMapper.MaxDocumentBytes
            ? string.Create(CultureInfo.InvariantCulture, $"{subject} is {size} bytes as BSON, above MongoDB's maximum document size of {TweetDocumentMapper.MaxDocumentBytes} bytes (16 MiB).")
            : null;
    }

    /// <summary>
    /// Returns true for the errors of reading and converting one message: invalid JSON or a
    /// missing field (<see cref="JsonException"/>, <see cref="FormatException"/>,
    /// <see cref="KeyNotFoundException"/>), a lone surrogate that neither JSON strings nor BSON
    /// can hold (<see cref="InvalidOperationException"/>, <see cref="ArgumentException"/>), a
    /// number out of range (<see cref="OverflowException"/>) and BSON nesting deeper than
    /// 100 levels (<see cref="BsonSerializationException"/>).
    /// </summary>
    private static bool IsContentError(Exception exception) => exception
        is JsonException
        or FormatException
        or KeyNotFoundException
        or InvalidOperationException
        or ArgumentException
        or OverflowException
        or BsonSerializationException;
}
