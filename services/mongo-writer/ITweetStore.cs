using MongoDB.Bson;

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
