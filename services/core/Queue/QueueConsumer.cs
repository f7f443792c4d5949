using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Pipeline.Core.Hosting;

namespace Pipeline.Core.Queue;

/// <summary>
/// Runs one subscriber: claims batches, hands them to the <see cref="IQueueHandler"/>, keeps the
/// lease alive while the handler works and acknowledges after it returns. A batch whose handler
/// failed as a whole is released for redelivery with backoff. A batch that failed on its content
/// is split, so only the bad messages are retried and in the end dead-lettered.
/// </summary>
/// <param name="metrics">Where batch outcomes are counted for <c>/metrics</c>; null counts nothing.</param>
public sealed class QueueConsumer(
    QueueClient queue,
    QueueNotifications notifications,
    IQueueHandler handler,
    IOptions<QueueConsumerOptions> options,
    ResiliencePipelineProvider<string> pipelines,
    TimeProvider timeProvider,
    ILogger<QueueConsumer> logger,
    QueueMetrics? metrics = null) : BackgroundService
{
    private static readonly TimeSpan MaxFailurePause = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReclaimInterval = TimeSpan.FromMinutes(1);

    private readonly QueueConsumerOptions settings = options.Value;
    private readonly ResiliencePipeline database = pipelines.GetPipeline(ResiliencePipelines.Postgres);
    private readonly string consumerId = $"{options.Value.Subscription}@{Environment.MachineName}:{Environment.ProcessId}";

    // A database outage fails every claim until it ends; one log entry a minute is enough.
    private readonly RepeatedErrorThrottle claimFailures = new(timeProvider, TimeSpan.FromMinutes(1));

    /// <summary>The time of the last completed claim attempt, whether or not it found work; read by health checks.</summary>
    public DateTimeOffset LastLoopAt { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await database.ExecuteAsync(
            async token => await queue.SubscribeAsync(settings.Subscription, settings.Start, token),
            stoppingToken);
        QueueLog.ConsumerStarted(logger, settings.Subscription, consumerId, settings.BatchSize);

        var listener = notifications.ListenAsync(stoppingToken);
        var consecutiveFailures = 0;
        var nextReclaimAt = timeProvider.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var succeeded = await RunOnceAsync(stoppingToken);
                LastLoopAt = timeProvider.GetUtcNow();
                if (succeeded && LastLoopAt >= nextReclaimAt)
                {
                    await ReclaimAsync(stoppingToken);
                    nextReclaimAt = LastLoopAt + ReclaimInterval;
                }

                consecutiveFailures = succeeded ? 0 : consecutiveFailures + 1;
                if (consecutiveFailures > 0)
                {
                    await Task.Delay(Backoff.Exponential(TimeSpan.FromSeconds(1), MaxFailurePause, consecutiveFailures), timeProvider, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            await listener.ContinueWith(static _ => { }, TaskScheduler.Default);
            QueueLog.ConsumerStopped(logger, settings.Subscription, consumerId);
        }
    }

    /// <summary>Claims and processes one batch, or waits for work; returns false after a failure.</summary>
    internal async Task<bool> RunOnceAsync(CancellationToken stoppingToken)
    {
        ClaimedBatch? batch;
        try
        {
            batch = await database.ExecuteAsync(
                async token => await queue.ClaimAsync(settings.Subscription, consumerId, settings.BatchSize, settings.LeaseDuration, token),
                stoppingToken);
        }
        catch (Exception ex) when (Transient.IsTransient(ex) && !stoppingToken.IsCancellationRequested)
        {
            metrics?.ClaimFailed(settings.Subscription);
            LogClaimFailure(ex);
            return false;
        }

        claimFailures.Reset();

        if (batch is null)
        {
            await notifications.WaitAsync(settings.PollInterval, stoppingToken);
            return true;
        }

        return await ProcessAsync(batch, stoppingToken);
    }

    private async Task<bool> ProcessAsync(ClaimedBatch batch, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewLoop = RenewWhileWorkingAsync(batch, renewal.Token);

        IReadOnlyList<MessageFailure> failures;
        try
        {
            failures = await HandleAsync(batch, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Give the batch back at once so another replica takes it without waiting for the lease.
            await renewal.CancelAsync();
            await TryReleaseAsync(batch, TimeSpan.Zero);
            metrics?.BatchReleased(settings.Subscription, "shutdown");
            throw;
        }
        catch (Exception ex)
        {
            await renewal.CancelAsync();
            var delay = Backoff.Exponential(settings.RetryBackoffBase, settings.RetryBackoffMax, batch.Deliveries);
            QueueLog.BatchFailed(logger, settings.Subscription, batch.ClaimId, batch.Messages.Count, batch.Deliveries, delay, ex);
            await TryReleaseAsync(batch, delay);
            metrics?.BatchReleased(settings.Subscription, "failure");
            return false;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewLoop;
        }

        var acknowledged = await database.ExecuteAsync(
            async token => await queue.AckAsync(batch, failures, settings.RetryPolicy, token),
            CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (acknowledged)
        {
            metrics?.BatchAcknowledged(settings.Subscription, batch, failures, settings.MaxAttempts, elapsed);
            QueueLog.BatchDone(logger, settings.Subscription, batch.ClaimId, batch.Messages.Count, failures.Count, elapsed.TotalMilliseconds);
        }
        else
        {
            metrics?.LeaseLost(settings.Subscription);
            QueueLog.LeaseLost(logger, settings.Subscription, batch.ClaimId, batch.Messages.Count);
        }

        var attempts = batch.Messages.ToDictionary(m => m.Id, m => m.Attempt);
        foreach (var failure in failures)
        {
            // The acknowledgement dead-letters a message whose last allowed attempt failed.
            if (acknowledged && attempts.TryGetValue(failure.MessageId, out var attempt) && attempt >= settings.MaxAttempts)
            {
                QueueLog.MessageDeadLettered(logger, settings.Subscription, failure.MessageId, attempt, failure.Error);
            }
            else
            {
                QueueLog.MessageFailed(logger, settings.Subscription, failure.MessageId, failure.Error);
            }
        }

        return true;
    }

    /// <summary>
    /// Runs the handler on the whole batch. When that throws an error that is not transient, runs it
    /// on each message alone, so one bad message does not hold back the others.
    /// </summary>
    private async Task<IReadOnlyList<MessageFailure>> HandleAsync(ClaimedBatch batch, CancellationToken stoppingToken)
    {
        try
        {
            return await handler.HandleAsync(batch.Messages, stoppingToken);
        }
        catch (Exception ex) when (!IsTransient(ex) && ex is not OperationCanceledException && batch.Messages.Count > 1)
        {
            QueueLog.SplittingBatch(logger, settings.Subscription, batch.ClaimId, batch.Messages.Count, ex);
        }

        var failures = new List<MessageFailure>();
        foreach (var message in batch.Messages)
        {
            try
            {
                failures.AddRange(await handler.HandleAsync([message], stoppingToken));
            }
            catch (Exception ex) when (!IsTransient(ex) && ex is not OperationCanceledException)
            {
                failures.Add(new MessageFailure(message.Id, $"{ex.GetType().Name}: {ex.Message}"));
            }
        }

        return failures;
    }

    /// <summary>Drops finished partitions and reports subscriptions that keep them from being dropped.</summary>
    private async Task ReclaimAsync(CancellationToken stoppingToken)
    {
        try
        {
            var dropped = await queue.ReclaimAsync(stoppingToken);
            if (dropped > 0)
            {
                QueueLog.PartitionsDropped(logger, dropped);
            }

            foreach (var blocking in await queue.FindBlockingSubscriptionsAsync(stoppingToken))
            {
                QueueLog.SubscriptionBlocksRetention(logger, blocking.Subscription, blocking.MessagesBehind, blocking.LastAckAt);
            }
        }
        catch (Exception ex) when (Transient.IsTransient(ex))
        {
            QueueLog.ReclaimFailed(logger, ex);
        }
    }

    private void LogClaimFailure(Exception exception)
    {
        if (!claimFailures.ShouldLog(exception, out var repeats))
        {
            return;
        }

        if (repeats == 0)
        {
            QueueLog.ClaimFailed(logger, settings.Subscription, exception);
        }
        else
        {
            QueueLog.ClaimFailedRepeated(logger, settings.Subscription, repeats, claimFailures.Interval, exception);
        }
    }

    private bool IsTransient(Exception exception) => Transient.IsTransient(exception) || handler.IsTransient(exception);

    private async Task RenewWhileWorkingAsync(ClaimedBatch batch, CancellationToken cancellationToken)
    {
        var interval = settings.LeaseDuration / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, timeProvider, cancellationToken);
                try
                {
                    if (!await queue.RenewAsync(batch, settings.LeaseDuration, cancellationToken))
                    {
                        QueueLog.LeaseLost(logger, settings.Subscription, batch.ClaimId, batch.Messages.Count);
                        return;
                    }
                }
                catch (Exception ex) when (Transient.IsTransient(ex))
                {
                    QueueLog.RenewFailed(logger, settings.Subscription, batch.ClaimId, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The batch is done.
        }
    }

    private async Task TryReleaseAsync(ClaimedBatch batch, TimeSpan delay)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await queue.ReleaseAsync(batch, delay, timeout.Token);
        }
        catch (Exception ex) when (Transient.IsTransient(ex) || ex is OperationCanceledException)
        {
            // The lease runs out on its own, and the batch comes back then.
            QueueLog.ReleaseFailed(logger, settings.Subscription, batch.ClaimId, ex);
        }
    }
}
