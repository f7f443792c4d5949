using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Polly.Registry;

namespace Pipeline.PostgresWriter.Sentiment;

/// <summary>
/// The worker of <c>postgres-writer rescore</c>. It recomputes the sentiment scores of every
/// stored tweet whose scores are missing or were computed with another lexicon, in batches of
/// <see cref="RescoreOptions.BatchSize"/> tweets in id order, each batch in its own transaction,
/// and then stops the host. Scores come from the stored <c>full_text</c>, or for a retweet from
/// the stored <c>full_text</c> of its original when the original is stored.
/// </summary>
/// <remarks>
/// A stopped run keeps the batches it committed, and the next run continues with the rest. The
/// writer may run at the same time, because the rescore never replaces scores that already carry
/// the current lexicon version.
/// </remarks>
internal sealed class SentimentRescore(
    TweetStore store,
    TweetSentimentScorer scorer,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<RescoreOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<SentimentRescore> logger) : BackgroundService
{
    /// <summary>True once every outdated tweet was rescored; false while running and after a stop or failure.</summary>
    public bool Completed { get; private set; }

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
            // The committed batches stay, so a new run continues where this one stopped.
            Log.RescoreStopped(logger);
        }

        lifetime.StopApplication();
    }

    private async Task RescoreAllAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var pipeline = pipelines.GetPipeline(ResiliencePipelines.Postgres);
        var started = timeProvider.GetTimestamp();

        var outdated = await pipeline.ExecuteAsync(async token => await store.CountOutdatedSentimentAsync(token), cancellationToken);
        Log.RescoreStarting(logger, outdated, store.LexiconVersion, settings.BatchSize);

        var afterId = long.MinValue;
        var examined = 0L;
        var rescored = 0L;
        var lastProgress = started;
        while (true)
        {
            var rows = await pipeline.ExecuteAsync(async token => await store.ReadOutdatedSentimentAsync(afterId, settings.BatchSize, token), cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            var sentiments = rows.Select(r => scorer.Score(r.TweetId, r.FullText, r.RetweetedOriginalText)).ToList();
            rescored += await pipeline.ExecuteAsync(async token => await store.WriteRescoredSentimentAsync(sentiments, token), cancellationToken);
            examined += rows.Count;
            afterId = rows[^1].TweetId;

            if (timeProvider.GetElapsedTime(lastProgress) >= settings.ProgressInterval)
            {
                Log.RescoreProgress(logger, examined, outdated, afterId);
                lastProgress = timeProvider.GetTimestamp();
            }
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        var perSecond = elapsed > TimeSpan.Zero ? Math.Round(examined / elapsed.TotalSeconds) : 0;
        Log.RescoreFinished(logger, rescored, examined - rescored, store.LexiconVersion, elapsed, perSecond);
    }
}
