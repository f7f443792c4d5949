using MongoDB.Bson;

namespace Pipeline.MongoWriter.Tests;

/// <summary>
/// An <see cref="ITweetStore"/> that keeps documents in memory with the same newest-observation
/// rule as MongoDB's store, so the handler and the queue consumer run without a MongoDB server.
/// Tests can make it reject documents or throw on its next calls.
/// </summary>
internal sealed class InMemoryTweetStore : ITweetStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, BsonDocument> tweets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BsonDocument> users = new(StringComparer.Ordinal);
    private int failuresToThrow;

    /// <summary>Returns an error for a document the store must reject, or null to store it.</summary>
    public Func<BsonDocument, string?> Reject { get; set; } = _ => null;

    /// <summary>The exception thrown by the next calls while <see cref="ThrowOnNextCalls"/> counts down.</summary>
    public Exception? Outage { get; private set; }

    /// <summary>How many tweet upserts were called, including those that threw.</summary>
    public int TweetCalls { get; private set; }

    /// <summary>The stored tweet documents by id.</summary>
    public IReadOnlyDictionary<string, BsonDocument> Tweets
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, BsonDocument>(tweets);
            }
        }
    }

    /// <summary>The stored user documents by id.</summary>
    public IReadOnlyDictionary<string, BsonDocument> Users
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, BsonDocument>(users);
            }
        }
    }

    /// <summary>Makes the next <paramref name="count"/> tweet upserts throw <paramref name="exception"/>.</summary>
    public void ThrowOnNextCalls(Exception exception, int count)
    {
        lock (gate)
        {
            Outage = exception;
            failuresToThrow = count;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UpsertOutcome>> UpsertTweetsAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            TweetCalls++;
            if (failuresToThrow > 0)
            {
                failuresToThrow--;
                throw Outage!;
            }

            return Task.FromResult<IReadOnlyList<UpsertOutcome>>(Upsert(tweets, documents, doc => doc["metrics"]["observed_at"]));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UpsertOutcome>> UpsertUsersAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<UpsertOutcome>>(Upsert(users, documents, doc => doc["observed_at"]));
        }
    }

    private List<UpsertOutcome> Upsert(Dictionary<string, BsonDocument> collection, IReadOnlyList<BsonDocument> documents, Func<BsonDocument, BsonValue> observedAt)
    {
        var outcomes = new List<UpsertOutcome>();
        foreach (var document in documents)
        {
            var id = document["_id"].AsString;
            if (Reject(document) is { } error)
            {
                outcomes.Add(UpsertOutcome.Failed(error));
            }
            else if (collection.TryGetValue(id, out var stored) && observedAt(stored) > observedAt(document))
            {
                outcomes.Add(UpsertOutcome.AlreadyNewer);
            }
            else
            {
                collection[id] = document;
                outcomes.Add(UpsertOutcome.Written);
            }
        }

        return outcomes;
    }
}
