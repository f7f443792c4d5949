using MongoDB.Bson;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>
/// Stores tweet and user documents, keeping for each id the newest observation. The handler
/// depends on this interface rather than on MongoDB, so that it runs against a real queue in
/// tests on machines without a MongoDB server.
/// </summary>
internal interface ITweetStore
{
    /// <summary>
    /// Upserts documents built by <see cref="TweetDocumentMapper.MapTweet"/> and returns one
    /// outcome per document, in order. Throws when the store as a whole failed (an outage).
    /// </summary>
    Task<IReadOnlyList<UpsertOutcome>> UpsertTweetsAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken);

    /// <summary>Upserts documents built by <see cref="TweetDocumentMapper.MapUser"/>, like <see cref="UpsertTweetsAsync"/>.</summary>
    Task<IReadOnlyList<UpsertOutcome>> UpsertUsersAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a tombstone for each deletion whose id has none yet, and returns one outcome per
    /// deletion, in order: <see cref="UpsertStatus.Written"/> also when the id had a tombstone already.
    /// </summary>
    Task<IReadOnlyList<UpsertOutcome>> AddTombstonesAsync(IReadOnlyList<TweetDeletion> deletions, CancellationToken cancellationToken);

    /// <summary>Returns the stored tombstones of those of <paramref name="ids"/> that have one, by id.</summary>
    Task<IReadOnlyDictionary<string, Tombstone>> FindTombstonesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Applies tombstones to the stored tweets: in <see cref="DeletionMode.Flag"/> marks each tweet
    /// not marked yet, in <see cref="DeletionMode.Remove"/> deletes it and sets its embedded copies
    /// in other tweets to null. Returns the server's error by tweet id for the writes it rejected.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> ApplyDeletionsAsync(IReadOnlyList<Tombstone> tombstones, DeletionMode mode, CancellationToken cancellationToken);
}

/// <summary>What became of one document of an upsert.</summary>
internal enum UpsertStatus
{
    /// <summary>The document was inserted, or it replaced an older or equal observation.</summary>
    Written,

    /// <summary>The stored document was observed later, so it was kept and this one dropped.</summary>
    AlreadyNewer,

    /// <summary>The server rejected the document; <see cref="UpsertOutcome.Error"/> contains the reason.</summary>
    Failed,
}

/// <summary>The outcome of upserting one document, with the server's error when it failed.</summary>
internal readonly record struct UpsertOutcome(UpsertStatus Status, string? Error = null)
{
    /// <summary>The outcome of a document that was stored.</summary>
    public static UpsertOutcome Written { get; } = new(UpsertStatus.Written);

    /// <summary>The outcome of a document older than the stored one.</summary>
    public static UpsertOutcome AlreadyNewer { get; } = new(UpsertStatus.AlreadyNewer);

    /// <summary>Returns the outcome of a document that the server rejected.</summary>
    public static UpsertOutcome Failed(string error) => new(UpsertStatus.Failed, error);
}
