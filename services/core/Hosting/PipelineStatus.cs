namespace Pipeline.Core.Hosting;

/// <summary>One reading of the queue and the collector, as the <c>status</c> command prints it.</summary>
/// <param name="ReadAt">When it was read, by the reader's clock.</param>
/// <param name="Checkpoints">The collector's checkpoints, or null when the database has no collector schema yet.</param>
public sealed record PipelineStatus(
    DateTimeOffset ReadAt,
    IReadOnlyList<SubscriptionStatus> Subscriptions,
    IReadOnlyList<CheckpointStatus>? Checkpoints);

/// <summary>The backlog and activity of one subscription, from <c>queue.subscription_stats</c>.</summary>
/// <param name="LagMessages">Messages after the cursor that no claim has covered yet.</param>
/// <param name="Lag">Age of the oldest of those messages; zero when there is none.</param>
/// <param name="ClaimsInFlight">Claims (batches) not acknowledged yet.</param>
/// <param name="Retrying">Failed messages waiting for another attempt.</param>
/// <param name="DeadLetters">Messages in <c>queue.dead_letters</c>.</param>
public sealed record SubscriptionStatus(
    string Subscription,
    long LagMessages,
    TimeSpan Lag,
    long ClaimsInFlight,
    long Retrying,
    long DeadLetters,
    DateTimeOffset? LastClaimAt,
    DateTimeOffset? LastAckAt)
{
    /// <summary>The later of the last claim and the last acknowledgement, or null when the subscription never claimed.</summary>
    public DateTimeOffset? LastActivityAt => (LastClaimAt, LastAckAt) switch
    {
        ({ } claim, { } ack) => claim > ack ? claim : ack,
        (var claim, var ack) => claim ?? ack,
    };
}

/// <summary>How far one collector source got, from <c>collector.checkpoints</c>.</summary>
/// <param name="SourceKey">The stored key, such as <c>recent_search:#postgres</c> or <c>file:/app/sample/brexit.jsonl</c>.</param>
/// <param name="Source">The part of the key before the first colon: the kind of source.</param>
/// <param name="Target">The part after it: the search query or the file path.</param>
/// <param name="NewestId">The newest tweet id of the last finished poll, for search sources.</param>
/// <param name="LineNumber">The last line committed, for file sources.</param>
public sealed record CheckpointStatus(
    string SourceKey,
    string Source,
    string Target,
    long? NewestId,
    long? LineNumber,
    DateTimeOffset UpdatedAt);

/// <summary>A message set aside in <c>queue.dead_letters</c>.</summary>
/// <param name="MessageRetained">True while its message is still in <c>queue.messages</c>, which requeuing needs.</param>
public sealed record DeadLetter(
    string Subscription,
    long MessageId,
    string? MessageKey,
    int Attempts,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset FirstFailedAt,
    DateTimeOffset DeadAt,
    string Error,
    bool MessageRetained);

/// <summary>The outcome of requeuing dead letters.</summary>
/// <param name="Requeued">Dead letters moved back to <c>queue.retries</c>.</param>
/// <param name="NotRetained">Ids of dead letters left in place because retention already dropped their message.</param>
/// <param name="NotFound">Requested ids that are not dead letters of the subscription.</param>
public sealed record RequeueResult(long Requeued, IReadOnlyList<long> NotRetained, IReadOnlyList<long> NotFound);
