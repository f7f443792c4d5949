using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>
/// Stores each queued tweet envelope as one document in <c>tweets</c> and its authors in
/// <c>users</c>. A message whose content cannot be stored (invalid JSON, a tweet without id, a
/// document above MongoDB's 16 MiB limit, a document the server rejects) is returned as a
/// failure, and the rest of the batch is still written.
/// </summary>
internal sealed class MongoWriterHandler(ITweetStore store, ILogger<MongoWriterHandler> logger) : IQueueHandler
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        var failures = new Dictionary<long, string>();
        var tweets = new List<BsonDocument>(messages.Count);
        var tweetMessageIds = new List<long>(messages.Count);
        var users = new UserDocuments();

        foreach (var message in messages)
        {
            try
            {
                var envelope = TweetEnvelope.FromJson(message.Payload);
                var tweet = TweetDocumentMapper.MapTweet(envelope);
                var userDocuments = TweetDocumentMapper.MapUsers(envelope);
                if (CheckSize(tweet, $"Tweet {tweet["_id"].AsString}") is { } tooLarge)
                {
                    failures[message.Id] = tooLarge;
                    continue;
                }

                foreach (var user in userDocuments)
                {
                    if (CheckSize(user, $"User {user["_id"].AsString}") is { } userTooLarge)
                    {
                        throw new FormatException(userTooLarge);
                    }
                }

                tweets.Add(tweet);
                tweetMessageIds.Add(message.Id);
                foreach (var user in userDocuments)
                {
                    users.Add(user, message.Id);
                }
            }
            catch (Exception ex) when (IsContentError(ex))
            {
                failures[message.Id] = $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        var tweetOutcomes = await store.UpsertTweetsAsync(tweets, cancellationToken);
        for (var i = 0; i < tweetOutcomes.Count; i++)
        {
            if (tweetOutcomes[i] is { Status: UpsertStatus.Failed, Error: var error })
            {
                failures[tweetMessageIds[i]] = $"Tweet {tweets[i]["_id"].AsString}: {error}";
            }
        }

        // A user document that the server rejects fails the messages that carried it, so that
        // they are retried; writing their tweets again does no harm.
        var userOutcomes = await store.UpsertUsersAsync(users.Documents, cancellationToken);
        for (var i = 0; i < userOutcomes.Count; i++)
        {
            if (userOutcomes[i] is { Status: UpsertStatus.Failed, Error: var error })
            {
                foreach (var messageId in users.MessageIds[i])
                {
                    failures.TryAdd(messageId, $"User {users.Documents[i]["_id"].AsString}: {error}");
                }
            }
        }

        MongoWriterLog.BatchWritten(
            logger,
            messages.Count,
            tweetOutcomes.Count(o => o.Status == UpsertStatus.Written),
            tweetOutcomes.Count(o => o.Status == UpsertStatus.AlreadyNewer),
            failures.Count,
            userOutcomes.Count(o => o.Status == UpsertStatus.Written));

        return [.. failures.Select(f => new MessageFailure(f.Key, f.Value))];
    }

    /// <inheritdoc />
    public bool IsTransient(Exception exception) => MongoTransient.IsTransient(exception);

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

    /// <summary>The user documents of a batch, one per user id with the newest observation, and the messages that carried each.</summary>
    private sealed class UserDocuments
    {
        private readonly Dictionary<string, int> indexById = new(StringComparer.Ordinal);

        public List<BsonDocument> Documents { get; } = [];

        public List<List<long>> MessageIds { get; } = [];

        public void Add(BsonDocument user, long messageId)
        {
            var id = user["_id"].AsString;
            if (!indexById.TryGetValue(id, out var index))
            {
                indexById[id] = Documents.Count;
                Documents.Add(user);
                MessageIds.Add([messageId]);
                return;
            }

            MessageIds[index].Add(messageId);
            var observedAt = user[TweetDocumentMapper.UserObservedAtField].AsBsonDateTime;
            if (observedAt > Documents[index][TweetDocumentMapper.UserObservedAtField].AsBsonDateTime)
            {
                Documents[index] = user;
            }
        }
    }
}
