using MongoDB.Bson;
using Pipeline.Core.Tweets;

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
    private readonly Dictionary<string, Tombstone> tombstones = new(StringComparer.Ordinal);
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

    /// <summary>The stored tombstones by tweet id.</summary>
    public IReadOnlyDictionary<string, Tombstone> Tombstones
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, Tombstone>(tombstones);
            }
        }
    }

    /// <summary>Runs before each tweet upsert, outside the lock: a test stores a tombstone there as another writer would.</summary>
    public Action? BeforeTweetUpsert { get; set; }

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
        BeforeTweetUpsert?.Invoke();
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

    /// <inheritdoc />
    public Task<IReadOnlyList<UpsertOutcome>> AddTombstonesAsync(IReadOnlyList<TweetDeletion> deletions, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            foreach (var deletion in deletions)
            {
                tombstones.TryAdd(deletion.Id, DeletionDocuments.ReadTombstone(DeletionDocuments.MapTombstone(deletion)));
            }

            return Task.FromResult<IReadOnlyList<UpsertOutcome>>([.. deletions.Select(_ => UpsertOutcome.Written)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, Tombstone>> FindTombstonesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyDictionary<string, Tombstone> found = ids.Where(tombstones.ContainsKey).ToDictionary(id => id, id => tombstones[id], StringComparer.Ordinal);
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> ApplyDeletionsAsync(IReadOnlyList<Tombstone> applied, DeletionMode mode, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            ApplyCalls++;
            var byId = applied.ToDictionary(t => t.Id, StringComparer.Ordinal);
            foreach (var tombstone in applied)
            {
                if (!tweets.TryGetValue(tombstone.Id, out var tweet))
                {
                    continue;
                }

                if (mode == DeletionMode.Remove)
                {
                    tweets.Remove(tombstone.Id);
                }
                else if (!tweet.Contains(DeletionDocuments.DeletedAtField))
                {
                    DeletionDocuments.Flag(tweet, tombstone);
                }
            }

            if (mode == DeletionMode.Remove)
            {
                foreach (var tweet in tweets.Values)
                {
                    DeletionDocuments.StripEmbedded(tweet, byId);
                }
            }

            return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
        }
    }

    /// <summary>Stores a tombstone directly, as another writer would.</summary>
    public void AddTombstone(Tombstone tombstone)
    {
        lock (gate)
        {
            tombstones.TryAdd(tombstone.Id, tombstone);
        }
    }

    /// <summary>How many times deletions were applied to stored tweets.</summary>
    public int ApplyCalls { get; private set; }

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
