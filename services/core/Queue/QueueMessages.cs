namespace Pipeline.Core.Queue;

/// <summary>A message to append to the queue.</summary>
/// <param name="Key">An identifier of the content, such as the tweet id, kept for inspection and dead letters.</param>
/// <param name="Payload">JSON text.</param>
public sealed record OutgoingMessage(string? Key, string Payload);

/// <summary>A message delivered to a subscriber.</summary>
/// <param name="Attempt">1 on the first attempt, counting up with each retry after a failure.</param>
public sealed record QueueMessage(long Id, DateTimeOffset EnqueuedAt, string? Key, string Payload, int Attempt);

/// <summary>A batch held by one consumer under a lease until it is acknowledged or released.</summary>
/// <param name="Deliveries">How often this batch has been handed out; above 1 after a consumer lost its lease.</param>
public sealed record ClaimedBatch(long ClaimId, Guid Token, int Deliveries, IReadOnlyList<QueueMessage> Messages);

/// <summary>A message that the subscriber could not process, with the reason stored for retries and dead letters.</summary>
public sealed record MessageFailure(long MessageId, string Error);

/// <summary>Where a new subscription starts reading.</summary>
public enum SubscriptionStart
{
    /// <summary>At the oldest message still retained, so it receives what was enqueued before it existed.</summary>
    Oldest,

    /// <summary>After the newest message, so it receives only what is enqueued from now on.</summary>
    Now,
}

/// <summary>How failed messages are retried before they become dead letters.</summary>
/// <param name="MaxAttempts">Attempts in all, the first included, before a message moves to the dead letters.</param>
/// <param name="BackoffBase">The wait after the first failure; it doubles with each attempt, with jitter of up to half.</param>
/// <param name="BackoffMax">The longest wait between attempts.</param>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan BackoffBase, TimeSpan BackoffMax);

/// <summary>A subscription whose unfinished messages keep old partitions from being dropped.</summary>
/// <param name="MessagesBehind">Messages from its oldest unfinished one to the newest.</param>
/// <param name="LastAckAt">Its last acknowledgement, or null when it never acknowledged.</param>
public sealed record BlockingSubscription(string Subscription, long MessagesBehind, DateTimeOffset? LastAckAt);
