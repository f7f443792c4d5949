using MongoDB.Bson;
using MongoDB.Driver;

namespace Pipeline.MongoWriter.Rescore;

/// <summary>
/// The reads and writes of <c>mongo-writer rescore</c>: which tweet documents are outdated, which
/// text each is scored on, and the update that replaces its <c>sentiment</c>.
/// </summary>
internal static class RescoreQueries
{
    private const string LexiconVersionField = "sentiment.lexicon_version";

    /// <summary>
    /// Builds the filter of outdated documents after <paramref name="afterId"/> in <c>_id</c> order:
    /// those whose <c>sentiment.lexicon_version</c> differs from <paramref name="lexiconVersion"/>,
    /// including documents without a <c>sentiment</c> field. Null <paramref name="afterId"/> starts at the first.
    /// </summary>
    public static BsonDocument OutdatedFilter(string lexiconVersion, string? afterId)
    {
        var filter = new BsonDocument(LexiconVersionField, new BsonDocument("$ne", lexiconVersion));
        if (afterId is not null)
        {
            filter.Add("_id", new BsonDocument("$gt", afterId));
        }

        return filter;
    }

    /// <summary>The fields a rescore reads: the full text and the referenced tweets, whose retweeted original may carry the text to score.</summary>
    public static BsonDocument Projection { get; } = new()
    {
        { "full_text", 1 },
        { "text", 1 },
        { "referenced_tweets", 1 },
    };

    /// <summary>The sort that makes batches resumable: <c>_id</c> ascending, the order of <see cref="OutdatedFilter"/>'s bound.</summary>
    public static BsonDocument Sort { get; } = new("_id", 1);

    /// <summary>
    /// Returns the text to score and its source, as the writer chooses them: a retweet's embedded
    /// original's <c>full_text</c> when the document contains it, else the document's own
    /// <c>full_text</c> (or <c>text</c>, for a document written before <c>full_text</c> existed).
    /// </summary>
    public static (string Text, string Source) ScoredText(BsonDocument document)
    {
        if (document.TryGetValue("referenced_tweets", out var references) && references.IsBsonArray)
        {
            foreach (var reference in references.AsBsonArray.OfType<BsonDocument>())
            {
                if (reference.TryGetValue("type", out var type) && type == "retweeted"
                    && reference.TryGetValue("tweet", out var original) && original.IsBsonDocument
                    && original.AsBsonDocument.TryGetValue("full_text", out var originalText) && originalText.IsString)
                {
                    return (originalText.AsString, TweetDocumentMapper.RetweetedOriginalSource);
                }
            }
        }

        var own = document.GetValue("full_text", BsonNull.Value);
        if (!own.IsString)
        {
            own = document.GetValue("text", BsonNull.Value);
        }

        return (own.IsString ? own.AsString : "", TweetDocumentMapper.FullTextSource);
    }

    /// <summary>
    /// Builds the update that stores <paramref name="sentiment"/> unless the document was scored with
    /// <paramref name="lexiconVersion"/> meanwhile (by the writer), so a rescore never replaces a
    /// current score and running it twice changes nothing the second time.
    /// </summary>
    public static UpdateOneModel<BsonDocument> Update(BsonValue id, BsonDocument sentiment, string lexiconVersion) => new(
        new BsonDocument { { "_id", id }, { LexiconVersionField, new BsonDocument("$ne", lexiconVersion) } },
        new BsonDocument("$set", new BsonDocument("sentiment", sentiment)));
}
