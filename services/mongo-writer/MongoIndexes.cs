using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Polly.Registry;

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

        await pipelines.GetPipeline(MongoResilience.Startup).ExecuteAsync(
            async token => await tweets.Indexes.CreateManyAsync(models, token),
            cancellationToken);
        MongoWriterLog.IndexesReady(logger, database.DatabaseNamespace.DatabaseName, MongoTweetStore.TweetsCollection, string.Join(", ", TweetIndexFields));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
