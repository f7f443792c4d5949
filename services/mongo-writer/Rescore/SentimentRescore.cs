using Pipeline.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Vader;
using Polly;
using Polly.Registry;

namespace Pipeline.MongoWriter.Rescore;

/// <summary>
/// The worker of <c>mongo-writer rescore</c>, the counterpart of <c>postgres-writer rescore</c>. It
/// recomputes the <c>sentiment</c> field of every tweet document whose
/// <c>sentiment.lexicon_version</c> differs from the running lexicon's, in batches of
/// <see cref="RescoreOptions.BatchSize"/> documents in <c>_id</c> order, and then stops the host.
/// </summary>
/// <remarks>
/// Each batch is one find and one unordered bulk write. A stopped run keeps the batches it wrote,
/// and the next run selects only what is still outdated. The writer may run at the same time,
/// because an update applies only while the document's version still differs (see
/// <see cref="RescoreQueries.Update"/>).
/// </remarks>
internal sealed class SentimentRescore(
    IMongoDatabase database,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<RescoreOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<SentimentRescore> logger) : BackgroundService
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    /// <summary>True once every outdated document was rescored; false while running and after a stop or failure.</summary>
    public bool Completed { get; private set; }

    /// <summary>Documents whose scores this run wrote.</summary>
    public long Rescored { get; private set; }

    /// <summary>Outdated documents this run read.</summary>
    public long Examined { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RescoreAllAsync(stoppingToken);
            Completed = true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The written batches stay, so a new run continues with what is still outdated.
            MongoWriterLog.RescoreStopped(logger);
        }

        lifetime.StopApplication();
    }

    private async Task RescoreAllAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var retry = pipelines.GetPipeline(MongoResilience.Write);
        var tweets = database.GetCollection<BsonDocument>(MongoTweetStore.TweetsCollection);
        var lexiconVersion = VaderScorer.Default.LexiconVersion;
        var started = timeProvider.GetTimestamp();

        var outdated = await retry.ExecuteAsync(
            async token => await tweets.CountDocumentsAsync(RescoreQueries.OutdatedFilter(lexiconVersion, afterId: null), cancellationToken: token),
            cancellationToken);
        MongoWriterLog.RescoreStarting(logger, outdated, lexiconVersion, settings.BatchSize);

        string? afterId = null;
        var lastProgress = started;
        while (true)
        {
            var filter = RescoreQueries.OutdatedFilter(lexiconVersion, afterId);
            var documents = await retry.ExecuteAsync(
                async token => await tweets.Find(filter).Project(RescoreQueries.Projection).Sort(RescoreQueries.Sort).Limit(settings.BatchSize).ToListAsync(token),
                cancellationToken);
            if (documents.Count == 0)
            {
                break;
            }

            var updates = documents
                .Select(document =>
                {
                    var (text, source) = RescoreQueries.ScoredText(document);
                    return RescoreQueries.Update(document["_id"], TweetDocumentMapper.MapScores(text, source), lexiconVersion);
                })
                .ToList();
            var result = await retry.ExecuteAsync(
                async token => await tweets.BulkWriteAsync(updates, Unordered, token),
                cancellationToken);

            Rescored += result.ModifiedCount;
            Examined += documents.Count;
            afterId = documents[^1]["_id"].AsString;

            if (timeProvider.GetElapsedTime(lastProgress) >= settings.ProgressInterval)
            {
                MongoWriterLog.RescoreProgress(logger, Examined, outdated, afterId);
                lastProgress = timeProvider.GetTimestamp();
            }
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        var perSecond = elapsed > TimeSpan.Zero ? Math.Round(Examined / elapsed.TotalSeconds) : 0;
        MongoWriterLog.RescoreFinished(logger, Rescored, Examined - Rescored, lexiconVersion, elapsed, perSecond);
    }
}
