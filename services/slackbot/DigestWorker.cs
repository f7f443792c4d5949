using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Slackbot.Messages;
using Pipeline.Slackbot.Webhook;

namespace Pipeline.Slackbot;

/// <summary>
/// Posts the digest: at the end of each period of <see cref="SlackOptions.DigestInterval"/>, the
/// top <see cref="SlackOptions.DigestSize"/> tweets created in that period, by likes, retweets,
/// quotes and replies, read from the Postgres writer's <c>tweets</c> and <c>users</c> tables.
/// Periods are aligned to whole multiples of the interval since 1970-01-01 00:00 UTC, so an
/// hourly digest covers 14:00 to 15:00 and is posted at 15:00. Each period is posted at most once,
/// because <c>slackbot.digests</c> keeps one row per period.
/// </summary>
/// <remarks>
/// NOTE: a tweet that the writer stores after its period's digest ran (collected late, or while
/// the writer lagged) is in no digest. A period that ended while the bot was down is posted at
/// start only when it is the last one and the bot posted the one before it.
/// </remarks>
internal sealed class DigestWorker(
    IOptions<SlackOptions> options,
    PostedStore store,
    SlackWebhookClient webhook,
    TimeProvider timeProvider,
    ILogger<DigestWorker> logger) : BackgroundService
{
    private readonly SlackOptions settings = options.Value;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.HasDigest)
        {
            return;
        }

        var interval = settings.DigestInterval!.Value;
        var lastEnd = PeriodStartAt(timeProvider.GetUtcNow(), interval);
        Log.DigestScheduled(logger, settings.DigestSize, interval, lastEnd + interval);
        try
        {
            await CatchUpAsync(lastEnd, interval, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var end = lastEnd + interval;
                var wait = end - timeProvider.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, timeProvider, stoppingToken);
                }

                await PostDigestAsync(end - interval, end, stoppingToken);
                lastEnd = end;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// Posts the digest of [<paramref name="periodStart"/>, <paramref name="periodEnd"/>) unless it
    /// was posted before. Errors are logged, and the next period is tried at its time.
    /// </summary>
    internal async Task PostDigestAsync(DateTimeOffset periodStart, DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        try
        {
            await PostOrSkipAsync(periodStart, periodEnd, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.DigestFailed(logger, periodStart, periodEnd, periodEnd + (periodEnd - periodStart), ex);
        }
    }

    /// <summary>Returns the start of the period that contains <paramref name="time"/>.</summary>
    internal static DateTimeOffset PeriodStartAt(DateTimeOffset time, TimeSpan interval)
    {
        var sinceEpoch = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch.AddTicks(sinceEpoch - (sinceEpoch % interval.Ticks));
    }

    private async Task CatchUpAsync(DateTimeOffset lastEnd, TimeSpan interval, CancellationToken cancellationToken)
    {
        var lastStart = lastEnd - interval;
        try
        {
            if (!await store.HasDigestAsync(lastStart, cancellationToken) && await store.HasDigestAsync(lastStart - interval, cancellationToken))
            {
                await PostDigestAsync(lastStart, lastEnd, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.DigestFailed(logger, lastStart, lastEnd, lastEnd + interval, ex);
        }
    }

    private async Task PostOrSkipAsync(DateTimeOffset periodStart, DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        if (webhook.Dead is { } dead)
        {
            Log.DigestNotPosted(logger, periodStart, periodEnd, dead.Describe());
            return;
        }

        var top = await store.FindTopTweetsAsync(periodStart, periodEnd, settings.DigestSize, cancellationToken);
        if (top.Count == 0)
        {
            Log.DigestEmpty(logger, periodStart, periodEnd);
            return;
        }

        var reserved = await store.ReserveDigestAsync(periodStart, periodEnd, [.. top.Select(post => post.TweetId)], cancellationToken);
        if (reserved is null)
        {
            Log.DigestAlreadyPosted(logger, periodStart);
            return;
        }

        var listed = top.Where(post => reserved.Contains(post.TweetId)).ToList();
        if (listed.Count == 0)
        {
            await store.ReleaseDigestAsync(periodStart, CancellationToken.None);
            Log.DigestEmpty(logger, periodStart, periodEnd);
            return;
        }

        PostResult result;
        try
        {
            result = await webhook.PostAsync(BlockKitMessages.ForDigest(periodStart, periodEnd, listed), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping during a wait: the request was not sent.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await store.ReleaseDigestAsync(periodStart, timeout.Token);
            throw;
        }

        switch (result.Outcome)
        {
            case PostOutcome.Posted:
                await store.ConfirmDigestAsync(periodStart, CancellationToken.None);
                Log.DigestPosted(logger, periodStart, periodEnd, listed.Count);
                break;

            case PostOutcome.OutcomeUnknown:
                Log.DigestOutcomeUnknown(logger, periodStart, periodEnd, result.Detail);
                break;

            default:
                await store.ReleaseDigestAsync(periodStart, CancellationToken.None);
                Log.DigestNotPosted(logger, periodStart, periodEnd, result.Detail);
                break;
        }
    }
}
