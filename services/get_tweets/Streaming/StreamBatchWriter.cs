using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Delivery;

namespace Pipeline.GetTweets.Streaming;

/// <summary>What one stream line gave: its tweets, or the line set aside because it could not be read.</summary>
/// <param name="Tweets">The envelopes of the line's tweets, <c>data</c> first.</param>
/// <param name="NewestId">The id of the line's <c>data</c> tweet.</param>
/// <param name="Rejected">The line, when it was set aside.</param>
/// <param name="Deletions">The tweets that the line's partial errors report not found.</param>
internal sealed record StreamItem(IReadOnlyList<TweetEnvelope> Tweets, long? NewestId, RejectedLine? Rejected, IReadOnlyList<TweetDeletion>? Deletions = null);

/// <summary>
/// Commits stream tweets in batches: one transaction per <see cref="CollectorOptions.StreamBatchSize"/>
/// tweets or per <see cref="CollectorOptions.StreamBatchInterval"/>, whichever comes first, with the
/// same seen-tweets check and enqueue as a search page. A rejected line commits with the batch
/// before it. The stream cannot be read again, so a batch whose commit fails on a transient error
/// is retried until it commits. Meanwhile the stream reader waits once the bounded channel is full.
/// </summary>
internal sealed class StreamBatchWriter(
    CollectorStore store,
    IOptions<CollectorOptions> options,
    TimeProvider timeProvider,
    ILogger<StreamBatchWriter> logger)
{
    /// <summary>The checkpoint key; its newest id is that of the newest stream tweet committed.</summary>
    public const string SourceKey = CollectorOptions.FilteredStream;

    /// <summary>How long the batch that is pending at shutdown may take to commit.</summary>
    public static readonly TimeSpan FinalCommitTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan CommitRetryBaseDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CommitRetryMaxDelay = TimeSpan.FromMinutes(1);

    private readonly int batchSize = options.Value.StreamBatchSize;
    private readonly TimeSpan batchInterval = options.Value.StreamBatchInterval;
    private readonly List<TweetEnvelope> batch = [];
    private readonly Dictionary<string, int> batchIndex = new(StringComparer.Ordinal);

    // The first deletion of each tweet id in the batch, as the writers keep the first tombstone.
    private readonly Dictionary<string, TweetDeletion> deletions = new(StringComparer.Ordinal);
    private long batchStartedAt;
    private long? newestId;

    /// <summary>Tweets committed so far.</summary>
    public long Tweets { get; private set; }

    /// <summary>Tweets enqueued so far: those not enqueued before with the same JSON.</summary>
    public long Enqueued { get; private set; }

    /// <summary>Lines set aside so far.</summary>
    public long RejectedLines { get; private set; }

    /// <summary>
    /// Commits the items of <paramref name="items"/> until the channel is completed, then commits
    /// what is pending. Stopping does not cancel that last commit at once: it gets
    /// <see cref="FinalCommitTimeout"/>, because the tweets in it cannot be fetched again.
    /// </summary>
    public async Task RunAsync(ChannelReader<StreamItem> items, CancellationToken stoppingToken)
    {
        using var commitCancellation = new CancellationTokenSource();
        using var registration = stoppingToken.Register(() => commitCancellation.CancelAfter(FinalCommitTimeout));
        var cancellationToken = commitCancellation.Token;

        while (await WaitForItemsAsync(items, cancellationToken))
        {
            while (items.TryRead(out var item))
            {
                await AddAsync(item, cancellationToken);
            }
        }

        await CommitAsync(rejected: null, cancellationToken);
    }

    // Returns false once the channel is completed and empty. While a batch is pending, the wait
    // ends at its deadline, and the batch commits then.
    private async Task<bool> WaitForItemsAsync(ChannelReader<StreamItem> items, CancellationToken cancellationToken)
    {
        while (batch.Count + deletions.Count > 0)
        {
            var remaining = batchInterval - timeProvider.GetElapsedTime(batchStartedAt);
            if (remaining <= TimeSpan.Zero)
            {
                await CommitAsync(rejected: null, cancellationToken);
                break;
            }

            using var due = new CancellationTokenSource(remaining, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, due.Token);
            try
            {
                return await items.WaitToReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (due.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The deadline passed: the next round of the loop commits the batch.
            }
        }

        return await items.WaitToReadAsync(cancellationToken);
    }

    private async Task AddAsync(StreamItem item, CancellationToken cancellationToken)
    {
        if (batch.Count + deletions.Count == 0)
        {
            batchStartedAt = timeProvider.GetTimestamp();
        }

        foreach (var tweet in item.Tweets)
        {
            Add(tweet);
        }

        foreach (var deletion in item.Deletions ?? [])
        {
            deletions.TryAdd(deletion.Id, deletion);
        }

        if (item.NewestId is { } id && (newestId is null || id > newestId))
        {
            newestId = id;
        }

        if (item.Rejected is not null)
        {
            await CommitAsync(item.Rejected, cancellationToken);
        }
        else if (batch.Count >= batchSize)
        {
            await CommitAsync(rejected: null, cancellationToken);
        }
    }

    // One transaction takes each tweet once, and a tweet often comes on several lines of a batch: as
    // the tweet of one line and as the referenced tweet of others. The newest copy is kept, except
    // that a copy without matching rules does not replace one with them.
    private void Add(TweetEnvelope tweet)
    {
        if (!batchIndex.TryGetValue(tweet.Id, out var index))
        {
            batchIndex[tweet.Id] = batch.Count;
            batch.Add(tweet);
        }
        else if (tweet.MatchingRules is not null || batch[index].MatchingRules is null)
        {
            batch[index] = tweet;
        }
    }

    private async Task CommitAsync(RejectedLine? rejected, CancellationToken cancellationToken)
    {
        if (batch.Count + deletions.Count == 0 && rejected is null)
        {
            return;
        }

        var checkpoint = new Checkpoint(NewestId: newestId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // CommitPageAsync drops the deletion of a tweet that the batch also delivers.
                var commit = await store.CommitPageAsync(SourceKey, checkpoint, batch, [.. deletions.Values], rejected, cancellationToken);
                Log.PageCommitted(logger, "filtered stream batch", commit.Tweets, commit.Enqueued);
                Tweets += commit.Tweets;
                Enqueued += commit.Enqueued;
                RejectedLines += rejected is null ? 0 : 1;
                batch.Clear();
                batchIndex.Clear();
                deletions.Clear();
                return;
            }
            catch (Exception ex) when (Transient.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff.Exponential(CommitRetryBaseDelay, CommitRetryMaxDelay, attempt);
                Log.StreamCommitFailed(logger, batch.Count, attempt, delay, ex);
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }
    }
}
