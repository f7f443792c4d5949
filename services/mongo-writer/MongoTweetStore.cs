using MongoDB.Bson;
using MongoDB.Driver;
using Polly;
using Polly.Registry;

namespace Pipeline.MongoWriter;

/// <summary>
/// Writes tweet and user documents to MongoDB, one unordered bulk write per batch of
/// replace-or-insert operations, so that one rejected document does not stop the others.
/// </summary>
/// <remarks>
/// Each operation replaces the document with the same <c>_id</c> only when the stored
/// observation time is not later than the new one (filter <c>{ _id, observed_at: { $not: { $gt: new } } }</c>
/// with upsert). When a later observation is stored, the filter matches nothing, so the upsert
/// tries an insert and fails with a duplicate key error (11000). That error can also come from a
/// race: two writers upsert the same new id, and the loser's insert fails although its
/// observation may be the newer one. Operations that failed on a duplicate key therefore run a
/// second time. The document exists by then, so a second duplicate key error means that the
/// stored observation is later, and the outcome is <see cref="UpsertStatus.AlreadyNewer"/>.
/// This is true because documents are deleted only in remove mode and only once their id has a
/// tombstone, and the handler deletes such a tweet again after every write of it.
/// </remarks>
internal sealed partial class MongoTweetStore(IMongoDatabase database, ResiliencePipelineProvider<string> pipelines) : ITweetStore
{
    /// <summary>The collection of tweet documents.</summary>
    public const string TweetsCollection = "tweets";

    /// <summary>The collection of user documents, one per author.</summary>
    public const string UsersCollection = "users";

    private const int DuplicateKeyCode = 11000;

    private readonly IMongoCollection<BsonDocument> tombstoneDocuments = database.GetCollection<BsonDocument>(DeletionDocuments.TombstonesCollection);

    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly IMongoCollection<BsonDocument> tweets = database.GetCollection<BsonDocument>(TweetsCollection);
    private readonly IMongoCollection<BsonDocument> users = database.GetCollection<BsonDocument>(UsersCollection);
    private readonly ResiliencePipeline retry = pipelines.GetPipeline(MongoResilience.Write);

    /// <inheritdoc />
    public Task<IReadOnlyList<UpsertOutcome>> UpsertTweetsAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken) =>
        UpsertNewestAsync(tweets, documents, TweetDocumentMapper.TweetObservedAtField, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<UpsertOutcome>> UpsertUsersAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken) =>
        UpsertNewestAsync(users, documents, TweetDocumentMapper.UserObservedAtField, cancellationToken);

    private async Task<IReadOnlyList<UpsertOutcome>> UpsertNewestAsync(
        IMongoCollection<BsonDocument> collection,
        IReadOnlyList<BsonDocument> documents,
        string observedAtField,
        CancellationToken cancellationToken)
    {
        var outcomes = new UpsertOutcome[documents.Count];
        Array.Fill(outcomes, UpsertOutcome.Written);

        // Indexes into documents of the operations still to run; the second pass runs only
        // those that failed on a duplicate key in the first.
        List<int> pending = [.. Enumerable.Range(0, documents.Count)];
        for (var pass = 1; pass <= 2 && pending.Count > 0; pass++)
        {
            var models = pending.Select(index => CreateUpsert(documents[index], observedAtField)).ToList();
            var errors = await BulkWriteAsync(collection, models, cancellationToken);

            var duplicates = new List<int>();
            foreach (var error in errors)
            {
                var index = pending[error.Index];
                if (error.Code == TweetSchema.DocumentValidationFailureCode)
                {
                    outcomes[index] = UpsertOutcome.Failed(
                        $"The {collection.CollectionNamespace.CollectionName} collection's validator rejected the document (code {error.Code}): {error.Message} {error.Details?.ToJson()}");
                }
                else if (error.Code != DuplicateKeyCode)
                {
                    outcomes[index] = UpsertOutcome.Failed($"MongoDB rejected the document (code {error.Code}): {error.Message}");
                }
                else if (pass == 1)
                {
                    duplicates.Add(index);
                }
                else
                {
                    outcomes[index] = UpsertOutcome.AlreadyNewer;
                }
            }

            pending = duplicates;
        }

        return outcomes;
    }

    /// <summary>Runs one unordered bulk write and returns the per-operation errors, empty when all succeeded.</summary>
    private async Task<IReadOnlyList<BulkWriteError>> BulkWriteAsync(
        IMongoCollection<BsonDocument> collection,
        IReadOnlyList<WriteModel<BsonDocument>> models,
        CancellationToken cancellationToken)
    {
        try
        {
            await retry.ExecuteAsync(
                async token => await collection.BulkWriteAsync(models, Unordered, token),
                cancellationToken);
            return [];
        }
        catch (MongoBulkWriteException<BsonDocument> ex) when (ex.WriteConcernError is null)
        {
            // The errors of single operations, while the other operations were applied. A write
            // concern error propagates instead, because it concerns the whole write and is transient.
            return ex.WriteErrors;
        }
    }

    /// <summary>Builds the replace-or-insert operation that applies only when the stored observation is not later.</summary>
    internal static ReplaceOneModel<BsonDocument> CreateUpsert(BsonDocument document, string observedAtField)
    {
        var observedAt = GetField(document, observedAtField);
        var filter = new BsonDocument
        {
            { "_id", document["_id"] },
            // $not also matches a stored document without the field, so such a document is replaced.
            { observedAtField, new BsonDocument("$not", new BsonDocument("$gt", observedAt)) },
        };
        return new ReplaceOneModel<BsonDocument>(filter, document) { IsUpsert = true };
    }

    private static BsonValue GetField(BsonDocument document, string dottedPath)
    {
        BsonValue value = document;
        foreach (var name in dottedPath.Split('.'))
        {
            value = value.AsBsonDocument[name];
        }

        return value;
    }
}
