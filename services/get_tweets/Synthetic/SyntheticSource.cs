using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Delivery;
using Pipeline.GetTweets.Pages;
using Pipeline.GetTweets.Replay;

namespace Pipeline.GetTweets.Synthetic;

/// <summary>
/// Enqueues the seeded synthetic pages of <see cref="SyntheticPages"/>, page by page, through the
/// same page parsing, commit and checkpoint as a replay. The checkpoint stores the last page
/// committed in its line number, so a collector killed mid-run goes on with the next page. A
/// page that was built but not committed is built again, identical, and the seen-tweets table
/// keeps tweets enqueued before from being enqueued twice.
/// </summary>
internal sealed class SyntheticSource(
    CollectorStore store,
    IOptions<CollectorOptions> options,
    TimeProvider timeProvider,
    ILogger<SyntheticSource> logger)
{
    private readonly CollectorOptions settings = options.Value;

    private int Count => settings.SyntheticCount ?? CollectorOptions.DefaultSyntheticCount;

    private long Seed => settings.SyntheticSeed ?? CollectorOptions.DefaultSyntheticSeed;

    /// <summary>The checkpoint and leader-lease key; another seed or count is another source and starts from page 1.</summary>
    public string SourceKey => string.Create(CultureInfo.InvariantCulture, $"synthetic:seed={Seed}:count={Count}");

    /// <summary>Commits every page after the checkpoint, at most <see cref="CollectorOptions.SyntheticRate"/> tweets per second, and returns the counters of the run.</summary>
    public async Task<ReplayProgress> RunAsync(CancellationToken cancellationToken)
    {
        var source = settings.Source!;
        var pages = new SyntheticPages(Seed, Count);
        Log.CollectorStarting(logger, source, string.Create(CultureInfo.InvariantCulture, $"{Count} synthetic tweets from seed {Seed}"));

        var checkpoint = await store.LoadCheckpointAsync(SourceKey, cancellationToken);
        var committedPages = (int)(checkpoint?.LineNumber ?? 0);
        if (committedPages > 0)
        {
            Log.SyntheticResuming(logger, committedPages, pages.PageCount);
        }

        var progress = new ReplayProgress(timeProvider, settings.ProgressInterval, logger);
        var pacedFrom = timeProvider.GetTimestamp();
        long tweetsSincePacedFrom = 0;
        var collectionSource = new CollectionSource(source, SourceKey);
        for (var number = committedPages + 1; number <= pages.PageCount; number++)
        {
            // Serialized and parsed again, so the page takes the path of a line read from a file.
            using var document = JsonDocument.Parse(pages.BuildPage(number).ToJsonString());
            var page = ApiPage.Parse(document.RootElement, collectionSource, timeProvider.GetUtcNow());
            var commit = await store.CommitPageAsync(SourceKey, new Checkpoint(LineNumber: number), page.Tweets, page.Deletions, rejected: null, cancellationToken);
            var location = string.Create(CultureInfo.InvariantCulture, $"synthetic page {number}");
            Log.PageCommitted(logger, location, commit.Tweets, commit.Enqueued);
            PartialErrors.Log(logger, location, page.Errors);
            progress.AddPage(commit, page.Errors.Count);

            tweetsSincePacedFrom += document.RootElement.GetProperty("data").GetArrayLength();
            await PaceAsync(pacedFrom, tweetsSincePacedFrom, cancellationToken);
        }

        progress.LogSummary(source);
        return progress;
    }

    // Waits until the tweets sent since the start would not exceed the rate, so a slow page is made up for by the next ones.
    private async Task PaceAsync(long pacedFrom, long tweetsSent, CancellationToken cancellationToken)
    {
        if (settings.SyntheticRate is not { } rate || rate <= 0)
        {
            return;
        }

        var due = TimeSpan.FromSeconds(tweetsSent / rate);
        var wait = due - timeProvider.GetElapsedTime(pacedFrom);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, timeProvider, cancellationToken);
        }
    }
}
