using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Polly.Registry;
using Polly.Timeout;

namespace Pipeline.MongoWriter;

/// <summary>
/// Creates the indexes of the <c>tweets</c> collection before the queue consumer starts, waiting
/// for MongoDB if needed. Creating an index that exists with the same keys and name does nothing,
/// so every start and every replica may run this.
/// </summary>
internal sealed class MongoIndexes(IMongoDatabase database, ResiliencePipelineProvider<string> pipelines, ILogger<MongoIndexes> logger) : IHostedService
{
    /// <summary>The indexed fields of the <c>tweets</c> collection, each in an ascending single-field index named after it.</summary>
    public static IReadOnlyList<string> TweetIndexFields { get; } = ["author_id", "created_at", "hashtags", "hashtags_lower"];

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var tweets = database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);
        var models = TweetIndexFields
            .Select(field => new CreateIndexModel<BsonDocument>(
                Builders<BsonDocument>.IndexKeys.Ascending(field),
                new CreateIndexOptions { Name = field }))
            .ToList();

        try
        {
            await pipelines.GetPipeline(MongoResilience.Startup).ExecuteAsync(
                async token => await tweets.Indexes.CreateManyAsync(models, token),
                cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            var servers = string.Join(",", database.Client.Settings.Servers);
            throw new TimeoutException(
                $"MongoDB on {servers} did not accept the index creation within {ex.Timeout}. Check that MongoDB is running and that ConnectionStrings__Mongo names it.",
                ex);
        }
        MongoWriterLog.IndexesReady(logger, database.DatabaseNamespace.DatabaseName, MongoTweetStore.TweetsCollection, string.Join(", ", TweetIndexFields));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
