using Npgsql;
using NpgsqlTypes;

namespace Pipeline.Core.Queue;

/// <summary>
/// Calls the queue's SQL functions (schema <c>queue</c>). Every time passed to the database comes
/// from the injected <see cref="TimeProvider"/>, so leases and backoff follow one clock.
/// </summary>
public sealed class QueueClient(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    /// <summary>
    /// Appends messages inside the caller's transaction, so they become visible together with
    /// whatever else the transaction writes (a collector's checkpoint, say). Returns the count.
    /// </summary>
    public async Task<long> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        var keys = new string?[messages.Count];
        var payloads = new string[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            keys[i] = messages[i].Key;
            payloads[i] = messages[i].Payload;
        }

        await using var command = new NpgsqlCommand("select queue.enqueue($1, $2, $3)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Appends messages in a transaction of their own.</summary>
    public async Task<long> EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await EnqueueAsync(connection, null, messages, cancellationToken);
    }

    /// <summary>Creates the subscription unless it exists; returns true when it was created.</summary>
    public async Task<bool> SubscribeAsync(string subscription, SubscriptionStart start, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select queue.subscribe($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = subscription });
        command.Parameters.Add(new NpgsqlParameter { Value = start == SubscriptionStart.Now ? "now" : "oldest" });
        command.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Claims up to <paramref name="maxMessages"/> messages under a lease; returns null when none are waiting.</summary>
    public async Task<ClaimedBatch?> ClaimAsync(string subscription, string consumer, int maxMessages, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select claim_id, token, deliveries, message_id, enqueued_at, message_key, payload::text, attempt from queue.claim($1, $2, $3, $4, $5)");
        command.Parameters.Add(new NpgsqlParameter { Value = subscription });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer });
        command.Parameters.Add(new NpgsqlParameter { Value = maxMessages });
        command.Parameters.Add(new NpgsqlParameter { Value = lease });
        command.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        long claimId = 0;
        var token = Guid.Empty;
        var deliveries = 0;
        var messages = new List<QueueMessage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimId = reader.GetInt64(0);
            token = reader.GetGuid(1);
            deliveries = reader.GetInt32(2);
            messages.Add(new QueueMessage(
                reader.GetInt64(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6),
                reader.GetInt32(7)));
        }

        // A claim can cover no rows when every message of its range was rolled back; acknowledging
        // it at once lets the cursor move on.
        if (claimId != 0 && messages.Count == 0)
        {
            await AckAsync(new ClaimedBatch(claimId, token, deliveries, messages), [], new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), cancellationToken);
            return null;
        }

        return claimId == 0 ? null : new ClaimedBatch(claimId, token, deliveries, messages);
    }

    /// <summary>Extends the lease; returns false when the claim was lost (its lease expired and another consumer took it).</summary>
    public async Task<bool> RenewAsync(ClaimedBatch batch, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select queue.renew($1, $2, $3, $4)");
        command.Parameters.Add(new NpgsqlParameter { Value = batch.ClaimId });
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Token });
        command.Parameters.Add(new NpgsqlParameter { Value = lease });
        command.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Gives the batch back for delivery again after <paramref name="delay"/>; returns false when the claim was already lost.</summary>
    public async Task<bool> ReleaseAsync(ClaimedBatch batch, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select queue.release($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = batch.ClaimId });
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Token });
        command.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() + delay });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>
    /// Acknowledges the batch: its messages are done, except <paramref name="failures"/>, which are
    /// retried or dead-lettered under <paramref name="retryPolicy"/>. Returns false when the claim
    /// was lost, and the consumer that has the claim now processes the batch again.
    /// </summary>
    public async Task<bool> AckAsync(ClaimedBatch batch, IReadOnlyList<MessageFailure> failures, RetryPolicy retryPolicy, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select queue.ack($1, $2, $3, $4, $5, $6, $7, $8)");
        command.Parameters.Add(new NpgsqlParameter { Value = batch.ClaimId });
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Token });
        command.Parameters.Add(new NpgsqlParameter { Value = failures.Select(f => f.MessageId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = failures.Select(f => f.Error).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = retryPolicy.MaxAttempts });
        command.Parameters.Add(new NpgsqlParameter { Value = retryPolicy.BackoffBase });
        command.Parameters.Add(new NpgsqlParameter { Value = retryPolicy.BackoffMax });
        command.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Drops the partitions of messages that every subscription has passed; returns how many.</summary>
    public async Task<int> ReclaimAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select queue.reclaim()");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Returns the subscriptions that hold back reclamation by a whole partition or more.</summary>
    public async Task<IReadOnlyList<BlockingSubscription>> FindBlockingSubscriptionsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select subscription, messages_behind, last_ack_at from queue.blocking_subscriptions");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var blocking = new List<BlockingSubscription>();
        while (await reader.ReadAsync(cancellationToken))
        {
            blocking.Add(new BlockingSubscription(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return blocking;
    }
}
