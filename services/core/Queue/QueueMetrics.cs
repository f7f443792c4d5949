using Pipeline.Core.Hosting;
using Prometheus;

namespace Pipeline.Core.Queue;

/// <summary>
/// The Prometheus metrics of a queue subscriber, labelled by subscription: what its consumer
/// processed, how long batches took, and the backlog that <see cref="QueueLagMonitor"/> reads.
/// </summary>
public sealed class QueueMetrics
{
    private static readonly string[] SubscriptionLabel = ["subscription"];

    private readonly Counter processed;
    private readonly Counter failed;
    private readonly Counter deadLettered;
    private readonly Counter tweetsWritten;
    private readonly Counter released;
    private readonly Counter leasesLost;
    private readonly Counter claimFailures;
    private readonly Histogram batchDuration;
    private readonly Gauge lagMessages;
    private readonly Gauge lagSeconds;
    private readonly Gauge claimsInFlight;
    private readonly Gauge retrying;
    private readonly Gauge deadLetters;

    /// <summary>Creates the metrics in the host's registry.</summary>
    public QueueMetrics(PipelineMetrics metrics)
    {
        var factory = metrics.Factory;
        processed = factory.CreateCounter(
            "pipeline_queue_messages_processed_total",
            "Messages the subscriber handled and acknowledged, whether they succeeded or failed.",
            SubscriptionLabel);
        failed = factory.CreateCounter(
            "pipeline_queue_messages_failed_total",
            "Messages whose processing failed; each is retried later or dead-lettered.",
            SubscriptionLabel);
        deadLettered = factory.CreateCounter(
            "pipeline_queue_messages_dead_lettered_total",
            "Messages that failed their last attempt and moved to queue.dead_letters.",
            SubscriptionLabel);
        tweetsWritten = factory.CreateCounter(
            "pipeline_tweets_written_total",
            "Tweets the subscriber stored: the messages of acknowledged batches that did not fail, one tweet each.",
            SubscriptionLabel);
        released = factory.CreateCounter(
            "pipeline_queue_batches_released_total",
            "Batches given back for redelivery, after a failure of the whole batch or at shutdown.",
            new CounterConfiguration { LabelNames = ["subscription", "reason"] });
        leasesLost = factory.CreateCounter(
            "pipeline_queue_leases_lost_total",
            "Batches whose lease expired before they were acknowledged, so another consumer processes them again.",
            SubscriptionLabel);
        claimFailures = factory.CreateCounter(
            "pipeline_queue_claim_failures_total",
            "Claims that failed on a database error after their retries.",
            SubscriptionLabel);
        batchDuration = factory.CreateHistogram(
            "pipeline_queue_batch_duration_seconds",
            "Time from claiming a batch to acknowledging it, handler included.",
            new HistogramConfiguration
            {
                LabelNames = SubscriptionLabel,
                Buckets = Histogram.ExponentialBuckets(0.005, 2, 14),
            });

        // Gauges read from queue.subscription_stats; unset until the first reading.
        var sampled = new GaugeConfiguration { LabelNames = SubscriptionLabel, SuppressInitialValue = true };
        lagMessages = factory.CreateGauge(
            "pipeline_queue_lag_messages",
            "Messages enqueued after the subscription's cursor that no claim has covered yet.",
            sampled);
        lagSeconds = factory.CreateGauge(
            "pipeline_queue_lag_seconds",
            "Age of the oldest message the subscription has not claimed yet; 0 when it has claimed every message.",
            sampled);
        claimsInFlight = factory.CreateGauge(
            "pipeline_queue_claims_in_flight",
            "Claims of the subscription that are not acknowledged yet.",
            sampled);
        retrying = factory.CreateGauge(
            "pipeline_queue_retrying_messages",
            "Messages of the subscription that failed and wait for another attempt.",
            sampled);
        deadLetters = factory.CreateGauge(
            "pipeline_queue_dead_letters",
            "Messages of the subscription in queue.dead_letters.",
            sampled);
    }

    /// <summary>Counts an acknowledged batch. Failures on a message's last attempt count as dead-lettered.</summary>
    public void BatchAcknowledged(string subscription, ClaimedBatch batch, IReadOnlyList<MessageFailure> failures, int maxAttempts, TimeSpan elapsed)
    {
        var failedIds = failures.Select(f => f.MessageId).ToHashSet();
        var deadCount = batch.Messages.Count(m => failedIds.Contains(m.Id) && m.Attempt >= maxAttempts);

        processed.WithLabels(subscription).Inc(batch.Messages.Count);
        failed.WithLabels(subscription).Inc(failedIds.Count);
        deadLettered.WithLabels(subscription).Inc(deadCount);
        tweetsWritten.WithLabels(subscription).Inc(batch.Messages.Count - failedIds.Count);
        batchDuration.WithLabels(subscription).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Counts a batch given back for redelivery; <paramref name="reason"/> is <c>failure</c> or <c>shutdown</c>.</summary>
    public void BatchReleased(string subscription, string reason) => released.WithLabels(subscription, reason).Inc();

    /// <summary>Counts a batch whose lease expired before its acknowledgement.</summary>
    public void LeaseLost(string subscription) => leasesLost.WithLabels(subscription).Inc();

    /// <summary>Counts a claim that failed on a database error.</summary>
    public void ClaimFailed(string subscription) => claimFailures.WithLabels(subscription).Inc();

    /// <summary>Sets the backlog gauges from one reading of <c>queue.subscription_stats</c>.</summary>
    public void SubscriptionRead(SubscriptionStatus status)
    {
        lagMessages.WithLabels(status.Subscription).Set(status.LagMessages);
        lagSeconds.WithLabels(status.Subscription).Set(status.Lag.TotalSeconds);
        claimsInFlight.WithLabels(status.Subscription).Set(status.ClaimsInFlight);
        retrying.WithLabels(status.Subscription).Set(status.Retrying);
        deadLetters.WithLabels(status.Subscription).Set(status.DeadLetters);
    }
}
