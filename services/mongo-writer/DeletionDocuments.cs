using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>A deletion as stored in <c>deleted_tweets</c>: the first one recorded for the tweet id.</summary>
internal sealed record Tombstone(string Id, string Reason, DateTimeOffset ObservedAt);

/// <summary>
/// The BSON of deleted tweets: the tombstone documents of <c>deleted_tweets</c>, the deletion
/// mark on a tweet document (flag mode), and the writes that mark, delete or strip tweets.
/// </summary>
internal static class DeletionDocuments
{
    /// <summary>The collection of tombstones, one per deleted tweet id, with <c>_id</c> the id string.</summary>
    public const string TombstonesCollection = "deleted_tweets";

    /// <summary>The field of a flagged tweet document that contains when the tweet was deleted.</summary>
    public const string DeletedAtField = "deleted_at";

    /// <summary>The field of a flagged tweet document that contains the reason for its deletion.</summary>
    public const string DeletionReasonField = "deletion_reason";

    /// <summary>Builds the <c>deleted_tweets</c> document of a deletion.</summary>
    public static BsonDocument MapTombstone(TweetDeletion deletion) => new()
    {
        { "_id", deletion.Id },
        { "reason", deletion.Reason },
        { "observed_at", new BsonDateTime(deletion.ObservedAt.ToUnixTimeMilliseconds()) },
        {
            "source", new BsonDocument
            {
                { "kind", deletion.Source.Kind },
                { "name", deletion.Source.Name },
            }
        },
    };

    /// <summary>Reads a <c>deleted_tweets</c> document.</summary>
    public static Tombstone ReadTombstone(BsonDocument document) => new(
        document["_id"].AsString,
        document["reason"].AsString,
        DateTimeOffset.FromUnixTimeMilliseconds(document["observed_at"].AsBsonDateTime.MillisecondsSinceEpoch));

    /// <summary>
    /// Builds the write that stores a tombstone unless one exists for the id, so that the first
    /// deletion recorded stays and the same deletion twice changes nothing.
    /// </summary>
    public static UpdateOneModel<BsonDocument> InsertTombstone(TweetDeletion deletion)
    {
        var fields = MapTombstone(deletion);
        fields.Remove("_id");
        return new UpdateOneModel<BsonDocument>(
            new BsonDocument("_id", deletion.Id),
            new BsonDocument("$setOnInsert", fields))
        { IsUpsert = true };
    }

    /// <summary>Marks a tweet document as deleted with the tombstone's time and reason.</summary>
    public static void Flag(BsonDocument tweet, Tombstone tombstone)
    {
        tweet[DeletedAtField] = new BsonDateTime(tombstone.ObservedAt.ToUnixTimeMilliseconds());
        tweet[DeletionReasonField] = tombstone.Reason;
    }

    /// <summary>Returns the ids of the tweets that a tweet document refers to in <c>referenced_tweets</c>.</summary>
    public static IEnumerable<string> ReferencedIds(BsonDocument tweet) =>
        tweet.TryGetValue("referenced_tweets", out var references) && references.IsBsonArray
            ? references.AsBsonArray.OfType<BsonDocument>().Where(r => r.Contains("id") && r["id"].IsString).Select(r => r["id"].AsString)
            : [];

    /// <summary>
    /// Sets to null the embedded copy of every referenced tweet that has a tombstone, as remove mode
    /// requires, and returns how many copies it removed. The reference itself (type and id) stays.
    /// </summary>
    public static int StripEmbedded(BsonDocument tweet, IReadOnlyDictionary<string, Tombstone> tombstones)
    {
        if (!tweet.TryGetValue("referenced_tweets", out var references) || !references.IsBsonArray)
        {
            return 0;
        }

        var stripped = 0;
        foreach (var reference in references.AsBsonArray.OfType<BsonDocument>())
        {
            if (reference.TryGetValue("id", out var id) && id.IsString && tombstones.ContainsKey(id.AsString)
                && reference.TryGetValue("tweet", out var copy) && !copy.IsBsonNull)
            {
                reference["tweet"] = BsonNull.Value;
                stripped++;
            }
        }

        return stripped;
    }

    /// <summary>Builds the write that marks a stored tweet as deleted unless it is marked already (flag mode).</summary>
    public static UpdateOneModel<BsonDocument> FlagStored(Tombstone tombstone) => new(
        new BsonDocument { { "_id", tombstone.Id }, { DeletedAtField, BsonNull.Value } },
        new BsonDocument("$set", new BsonDocument
        {
            { DeletedAtField, new BsonDateTime(tombstone.ObservedAt.ToUnixTimeMilliseconds()) },
            { DeletionReasonField, tombstone.Reason },
        }));

    /// <summary>Builds the write that deletes a stored tweet (remove mode).</summary>
    public static DeleteOneModel<BsonDocument> RemoveStored(Tombstone tombstone) => new(new BsonDocument("_id", tombstone.Id));

    /// <summary>
    /// Builds the write that sets to null the embedded copies of a deleted tweet inside other tweets'
    /// <c>referenced_tweets[].tweet</c> (remove mode). It matches only documents that still contain a copy.
    /// </summary>
    public static UpdateManyModel<BsonDocument> StripStored(Tombstone tombstone) => new(
        new BsonDocument("referenced_tweets", new BsonDocument("$elemMatch", new BsonDocument
        {
            { "id", tombstone.Id },
            { "tweet", new BsonDocument("$ne", BsonNull.Value) },
        })),
        new BsonDocument("$set", new BsonDocument("referenced_tweets.$[reference].tweet", BsonNull.Value)))
    {
        ArrayFilters = [new BsonDocumentArrayFilterDefinition<BsonDocument>(new BsonDocument("reference.id", tombstone.Id))],
    };
}
