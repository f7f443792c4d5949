using Npgsql;

namespace Pipeline.Faults.Tests;

/// <summary>
/// One reading of how far the pipeline got, taken from PostgreSQL: the synthetic source's
/// checkpoint and each subscription's last ack and lag.
/// </summary>
/// <param name="CommittedPage">The last synthetic page the collector committed.</param>
/// <param name="Subscriptions">Per subscription: when it last acked a batch, and its lag (unclaimed, claimed and retrying messages).</param>
internal sealed record PipelineProgress(long CommittedPage, IReadOnlyDictionary<string, SubscriptionProgress> Subscriptions)
{
    /// <summary>Returns the reading, or null while PostgreSQL or the schemas are not reachable (during a restart, say).</summary>
    public static async Task<PipelineProgress?> TryReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var checkpoint = new NpgsqlCommand(
                "select coalesce(max(line_number), 0) from collector.checkpoints where source_key like 'synthetic:%'", connection);
            var page = (long)(await checkpoint.ExecuteScalarAsync(cancellationToken))!;

            var subscriptions = new Dictionary<string, SubscriptionProgress>();
            await using var stats = new NpgsqlCommand(
                "select subscription, last_ack_at, unclaimed + claims_in_flight + retrying from queue.subscription_stats", connection);
            await using var reader = await stats.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                subscriptions[reader.GetString(0)] = new SubscriptionProgress(
                    reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                    reader.GetInt64(2));
            }

            return new PipelineProgress(page, subscriptions);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Returns the progress of <paramref name="subscription"/>, empty when it has not subscribed yet.</summary>
    public SubscriptionProgress Of(string subscription) =>
        Subscriptions.TryGetValue(subscription, out var progress) ? progress : new SubscriptionProgress(null, 0);
}

/// <summary>How far one subscription got.</summary>
/// <param name="LastAckAt">When its consumer last acked a batch; null before the first.</param>
/// <param name="Lag">Messages not yet acked: unclaimed, claimed and waiting for a retry.</param>
internal sealed record SubscriptionProgress(DateTimeOffset? LastAckAt, long Lag)
{
    /// <summary>True when a batch was acked after <paramref name="earlier"/> was read.</summary>
    public bool AckedSince(SubscriptionProgress earlier) => LastAckAt is { } last && (earlier.LastAckAt is not { } before || last > before);
}
