using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Queue;

/// <summary>Log messages of the queue client and consumers; event ids 1000-1099.</summary>
internal static partial class QueueLog
{
    [LoggerMessage(1000, LogLevel.Information, "Consumer {ConsumerId} of subscription {Subscription} started, batches of up to {BatchSize} messages")]
    public static partial void ConsumerStarted(ILogger logger, string subscription, string consumerId, int batchSize);

    [LoggerMessage(1001, LogLevel.Information, "Consumer {ConsumerId} of subscription {Subscription} stopped")]
    public static partial void ConsumerStopped(ILogger logger, string subscription, string consumerId);

    [LoggerMessage(1002, LogLevel.Information, "Subscription {Subscription} acknowledged claim {ClaimId}: {MessageCount} messages, {FailedCount} failed, in {ElapsedMs:F1} ms")]
    public static partial void BatchDone(ILogger logger, string subscription, long claimId, int messageCount, int failedCount, double elapsedMs);

    [LoggerMessage(1003, LogLevel.Warning, "Subscription {Subscription}: claim {ClaimId} of {MessageCount} messages failed on delivery {Deliveries}; it is delivered again in {RetryDelay}")]
    public static partial void BatchFailed(ILogger logger, string subscription, long claimId, int messageCount, int deliveries, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning, "Subscription {Subscription}: claim {ClaimId} of {MessageCount} messages failed on its content; processing its messages one at a time")]
    public static partial void SplittingBatch(ILogger logger, string subscription, long claimId, int messageCount, Exception exception);

    [LoggerMessage(1016, LogLevel.Error, "Subscription {Subscription}: message {MessageId} failed on its last attempt ({Attempt}) and was set aside as a dead letter: {Error}. List it with the dead-letters command and requeue it after the fix")]
    public static partial void MessageDeadLettered(ILogger logger, string subscription, long messageId, int attempt, string error);

    [LoggerMessage(1005, LogLevel.Warning, "Subscription {Subscription}: message {MessageId} failed and will be retried or dead-lettered: {Error}")]
    public static partial void MessageFailed(ILogger logger, string subscription, long messageId, string error);

    [LoggerMessage(1006, LogLevel.Warning, "Subscription {Subscription}: the lease of claim {ClaimId} ({MessageCount} messages) expired before it was acknowledged; the batch is delivered again")]
    public static partial void LeaseLost(ILogger logger, string subscription, long claimId, int messageCount);

    [LoggerMessage(1007, LogLevel.Warning, "Subscription {Subscription}: claiming a batch failed; retrying")]
    public static partial void ClaimFailed(ILogger logger, string subscription, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "Subscription {Subscription}: renewing the lease of claim {ClaimId} failed; retrying")]
    public static partial void RenewFailed(ILogger logger, string subscription, long claimId, Exception exception);

    [LoggerMessage(1009, LogLevel.Warning, "Subscription {Subscription}: releasing claim {ClaimId} failed; it comes back when its lease expires")]
    public static partial void ReleaseFailed(ILogger logger, string subscription, long claimId, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Listening for queue notifications failed; reconnecting in {Delay} and polling meanwhile")]
    public static partial void ListenFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(1011, LogLevel.Information, "Dropped {PartitionCount} queue partitions that every subscription had passed")]
    public static partial void PartitionsDropped(ILogger logger, int partitionCount);

    [LoggerMessage(1012, LogLevel.Warning, "Subscription {Subscription} is {MessagesBehind} messages behind (last acknowledgement {LastAckAt}) and keeps old queue partitions from being dropped")]
    public static partial void SubscriptionBlocksRetention(ILogger logger, string subscription, long messagesBehind, DateTimeOffset? lastAckAt);

    [LoggerMessage(1013, LogLevel.Warning, "Reclaiming queue partitions failed; trying again later")]
    public static partial void ReclaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(1014, LogLevel.Warning, "Subscription {Subscription}: claiming a batch failed again, {Repeats} more times with this error since the last entry (one entry per {Interval} at most); retrying")]
    public static partial void ClaimFailedRepeated(ILogger logger, string subscription, int repeats, TimeSpan interval, Exception exception);

    [LoggerMessage(1015, LogLevel.Warning, "Reading the backlog of subscription {Subscription} for the lag metrics failed ({Repeats} identical failures skipped since the last entry); trying again at the next reading")]
    public static partial void LagReadFailed(ILogger logger, string subscription, int repeats, Exception exception);
}
