using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Polly.Registry;
using Polly.Timeout;

namespace Pipeline.MongoWriter;

/// <summary>
/// Prepares the <c>tweets</c> collection before the queue consumer starts, waiting for MongoDB if
/// needed: it creates the collection with the <see cref="TweetSchema"/> validator, or applies the
/// validator to an existing collection with <c>collMod</c>, and then creates the indexes. Each step
/// leaves an already prepared collection as it is, so every start and every replica may run this.
/// </summary>
internal sealed class MongoIndexes(IMongoDatabase database, ResiliencePipelineProvider<string> pipelines, ILogger<MongoIndexes> logger) : IHostedService
{
    /// <summary>The name of the text index on <c>full_text</c>.</summary>
    public const string FullTextIndexName = "full_text_text";

    // Server error codes: the collection does not exist (collMod), and it already exists (create).
    private const int NamespaceNotFoundCode = 26;
    private const int NamespaceExistsCode = 48;

    /// <summary>
    /// The fields of the <c>tweets</c> collection with an ascending single-field index named after
    /// the field: filters by author, language, conversation, reference and deletion, and sorts by
    /// time and by retweet and like counts (a single-field index serves both sort directions).
    /// </summary>
    public static IReadOnlyList<string> TweetIndexFields { get; } =
    [
        "author_id",
        "created_at",
        "hashtags",
        "hashtags_lower",
        "lang",
        "conversation_id",
        "metrics.retweet_count",
        "metrics.like_count",
        "referenced_tweets.id",
        "deleted_at",
    ];

    /// <summary>
    /// Builds the index models of the <c>tweets</c> collection: <see cref="TweetIndexFields"/> and a
    /// text index on <c>full_text</c>. Tweets come in many languages, so the text index uses the
    /// language <c>none</c> (no stemming, no stop words) and takes no language from the documents: the
    /// override field is one that tweet documents do not have, so a <c>lang</c> code that MongoDB's
    /// text search does not support cannot make a write fail.
    /// </summary>
    public static List<CreateIndexModel<BsonDocument>> TweetIndexModels()
    {
        var models = TweetIndexFields
            .Select(field => new CreateIndexModel<BsonDocument>(
                Builders<BsonDocument>.IndexKeys.Ascending(field),
                new CreateIndexOptions { Name = field }))
            .ToList();
        models.Add(new CreateIndexModel<BsonDocument>(
            Builders<BsonDocument>.IndexKeys.Text("full_text"),
            new CreateIndexOptions { Name = FullTextIndexName, DefaultLanguage = "none", LanguageOverride = "text_search_language" }));
        return models;
    }

    /// <summary>Builds the <c>collMod</c> command that applies the <see cref="TweetSchema"/> validator to an existing collection.</summary>
    public static BsonDocument CollModCommand() => new()
    {
        { "collMod", MongoTweetStore.TweetsCollection },
        { "validator", TweetSchema.Validator() },
        { "validationLevel", TweetSchema.ValidationLevel },
        { "validationAction", TweetSchema.ValidationAction },
    };

    /// <summary>Builds the options that create the collection with the <see cref="TweetSchema"/> validator.</summary>
    public static CreateCollectionOptions<BsonDocument> CreateOptions() => new()
    {
        Validator = new BsonDocumentFilterDefinition<BsonDocument>(TweetSchema.Validator()),
        ValidationLevel = DocumentValidationLevel.Moderate,
        ValidationAction = DocumentValidationAction.Error,
    };

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var tweets = database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);
        var models = TweetIndexModels();

        try
        {
            await pipelines.GetPipeline(MongoResilience.Startup).ExecuteAsync(
                async token =>
                {
                    await ApplyValidatorAsync(token);
                    await tweets.Indexes.CreateManyAsync(models, token);
                },
                cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            var servers = string.Join(",", database.Client.Settings.Servers);
            throw new TimeoutException(
                $"MongoDB on {servers} did not accept the validator and index creation within {ex.Timeout}. Check that MongoDB is running and that ConnectionStrings__Mongo names it.",
                ex);
        }

        MongoWriterLog.IndexesReady(logger, database.DatabaseNamespace.DatabaseName, MongoTweetStore.TweetsCollection, string.Join(", ", models.Select(m => m.Options.Name)));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ApplyValidatorAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.RunCommandAsync<BsonDocument>(CollModCommand(), cancellationToken: cancellationToken);
            return;
        }
        catch (MongoCommandException ex) when (ex.Code == NamespaceNotFoundCode)
        {
            // A new database: the collection is created below with the validator.
        }

        try
        {
            await database.CreateCollectionAsync(MongoTweetStore.TweetsCollection, CreateOptions(), cancellationToken);
        }
        catch (MongoCommandException ex) when (ex.Code == NamespaceExistsCode)
        {
            // Another replica created it between the two commands, so apply the validator to its collection.
            await database.RunCommandAsync<BsonDocument>(CollModCommand(), cancellationToken: cancellationToken);
        }
    }
}
