namespace Pipeline.Core.Queue;

/// <summary>
/// The work a subscriber does with each claimed batch. The consumer acknowledges the batch after
/// this returns, so an implementation commits its writes before returning.
/// </summary>
public interface IQueueHandler
{
    /// <summary>
    /// Processes a batch and returns the messages that failed on their own, such as invalid content.
    /// Those are retried later or dead-lettered, and the rest of the batch is acknowledged. Throw
    /// when the whole batch failed, as in a database outage, and the batch is delivered again.
    /// Messages may be delivered more than once, so processing must be idempotent.
    /// </summary>
    Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Says whether an exception thrown by <see cref="HandleAsync"/> may pass on its own (an
    /// outage) rather than come from the messages. Transient failures release the batch for
    /// redelivery; other failures are charged to the messages. Database and network errors that
    /// <see cref="Hosting.Transient"/> classifies as transient count as such in any case.
    /// </summary>
    bool IsTransient(Exception exception) => false;
}
