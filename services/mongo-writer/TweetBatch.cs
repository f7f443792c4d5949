using MongoDB.Bson;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>The tweet and user documents of one queue batch, each with the message that carried it.</summary>
internal sealed class TweetBatch
{
    /// <summary>The tweet documents to write, in message order.</summary>
    public List<BsonDocument> Tweets { get; } = [];

    /// <summary>The message id of each document of <see cref="Tweets"/>, at the same index.</summary>
    public List<long> TweetMessageIds { get; } = [];

    /// <summary>The user documents to write.</summary>
    public UserDocuments Users { get; } = new();

    /// <summary>Adds the documents of one message.</summary>
    public void Add(long messageId, BsonDocument tweet, IEnumerable<BsonDocument> users)
    {
        Tweets.Add(tweet);
        TweetMessageIds.Add(messageId);
        foreach (var user in users)
        {
            Users.Add(user, messageId);
        }
    }

    /// <summary>Takes a tweet document out of the batch; its users stay.</summary>
    public void RemoveTweetAt(int index)
    {
        Tweets.RemoveAt(index);
        TweetMessageIds.RemoveAt(index);
    }

    /// <summary>Returns the ids of the batch's tweets and of the tweets they refer to.</summary>
    public HashSet<string> InvolvedIds()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tweet in Tweets)
        {
            ids.Add(tweet["_id"].AsString);
            ids.UnionWith(DeletionDocuments.ReferencedIds(tweet));
        }

        return ids;
    }

    /// <summary>
    /// Applies the tombstones known before the write: in flag mode marks the tweets that have one, in
    /// remove mode takes them out of the batch and sets to null the embedded copies of tombstoned
    /// referenced tweets. Returns how many tweets of the batch had a tombstone.
    /// </summary>
    public int ApplyKnownTombstones(IReadOnlyDictionary<string, Tombstone> tombstones, DeletionMode mode)
    {
        if (tombstones.Count == 0)
        {
            return 0;
        }

        var deleted = 0;
        for (var i = Tweets.Count - 1; i >= 0; i--)
        {
            if (!tombstones.TryGetValue(Tweets[i]["_id"].AsString, out var tombstone))
            {
                if (mode == DeletionMode.Remove)
                {
                    DeletionDocuments.StripEmbedded(Tweets[i], tombstones);
                }

                continue;
            }

            deleted++;
            if (mode == DeletionMode.Remove)
            {
                RemoveTweetAt(i);
            }
            else
            {
                DeletionDocuments.Flag(Tweets[i], tombstone);
            }
        }

        return deleted;
    }
}

/// <summary>The user documents of a batch, one per user id with the newest observation, and the messages that carried each.</summary>
internal sealed class UserDocuments
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
