using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>The tombstones of <c>deleted_tweets</c> and the writes that flag or remove deleted tweets.</summary>
internal sealed partial class MongoTweetStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<UpsertOutcome>> AddTombstonesAsync(IReadOnlyList<TweetDeletion> deletions, CancellationToken cancellationToken)
    {
        var outcomes = new UpsertOutcome[deletions.Count];
        Array.Fill(outcomes, UpsertOutcome.Written);
        if (deletions.Count == 0)
        {
            return outcomes;
        }

        var models = deletions.Select(DeletionDocuments.InsertTombstone).ToList();
        foreach (var error in await BulkWriteAsync(tombstoneDocuments, models, cancellationToken))
        {
            // Two upserts of one new id race, and the loser's insert fails on the duplicate key:
            // the tombstone it wanted is there, which is all it had to achieve.
            if (error.Code != DuplicateKeyCode)
            {
                outcomes[error.Index] = UpsertOutcome.Failed($"MongoDB rejected the tombstone (code {error.Code}): {error.Message}");
            }
        }

        return outcomes;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, Tombstone>> FindTombstonesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Tombstone>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return found;
        }

        var filter = new BsonDocument("_id", new BsonDocument("$in", new BsonArray(ids)));
        var documents = await retry.ExecuteAsync(
            async token => await tombstoneDocuments.Find(filter).ToListAsync(token),
            cancellationToken);
        foreach (var document in documents)
        {
            var tombstone = DeletionDocuments.ReadTombstone(document);
            found[tombstone.Id] = tombstone;
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> ApplyDeletionsAsync(IReadOnlyList<Tombstone> tombstones, DeletionMode mode, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tombstones.Count == 0)
        {
            return errors;
        }

        // In remove mode each tombstone has two writes, the delete and the strip, at 2i and 2i + 1.
        var models = new List<WriteModel<BsonDocument>>();
        foreach (var tombstone in tombstones)
        {
            if (mode == DeletionMode.Flag)
            {
                models.Add(DeletionDocuments.FlagStored(tombstone));
            }
            else
            {
                models.Add(DeletionDocuments.RemoveStored(tombstone));
                models.Add(DeletionDocuments.StripStored(tombstone));
            }
        }

        var writesPerTombstone = mode == DeletionMode.Flag ? 1 : 2;
        foreach (var error in await BulkWriteAsync(tweets, models, cancellationToken))
        {
            var id = tombstones[error.Index / writesPerTombstone].Id;
            errors.TryAdd(id, $"MongoDB rejected the {mode.ToString().ToLowerInvariant()} write of deleted tweet {id} (code {error.Code}): {error.Message}");
        }

        return errors;
    }
}
