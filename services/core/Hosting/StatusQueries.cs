using Npgsql;
using NpgsqlTypes;

namespace Pipeline.Core.Hosting;

/// <summary>
/// Reads the state operators ask about: subscription backlogs, collector checkpoints and dead
/// letters, and requeues dead letters. It only reads, except in <see cref="RequeueDeadLettersAsync"/>.
/// </summary>
public sealed class StatusQueries(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    private const string SubscriptionsSql = """
        select subscription, unclaimed, claims_in_flight, retrying, dead_letters, oldest_unclaimed_at, last_claim_at, last_ack_at
          from queue.subscription_stats
         where $1::text is null or subscription = $1
         order by subscription
        """;

    private const string CheckpointsSql = """
        select source_key, newest_id, line_number, updated_at
          from collector.checkpoints
         order by source_key
        """;

    private const string DeadLettersSql = """
        select d.subscription, d.message_id, d.message_key, d.attempts, d.enqueued_at, d.first_failed_at, d.dead_at, d.error,
               exists (select 1 from queue.messages m where m.id = d.message_id) as retained,
               count(*) over () as total
          from queue.dead_letters d
         where $1::text is null or d.subscription = $1
         order by d.dead_at desc, d.subscription, d.message_id
         limit $2
        """;

    // Locks the chosen dead letters, so a concurrent requeue cannot move them in between.
    private const string RequeueCandidatesSql = """
        select d.message_id, exists (select 1 from queue.messages m where m.id = d.message_id) as retained
          from queue.dead_letters d
         where d.subscription = $1 and ($2::bigint[] is null or d.message_id = any ($2))
         order by d.message_id
           for update
        """;

    /// <summary>Reads every subscription and, when the collector's schema exists, its checkpoints.</summary>
    public async Task<PipelineStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await ReadSubscriptionsAsync(null, cancellationToken);
        var checkpoints = await ReadCheckpointsAsync(cancellationToken);
        return new PipelineStatus(timeProvider.GetUtcNow(), subscriptions, checkpoints);
    }

    /// <summary>Reads one subscription, or all of them when <paramref name="subscription"/> is null.</summary>
    public async Task<IReadOnlyList<SubscriptionStatus>> ReadSubscriptionsAsync(string? subscription, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SubscriptionsSql);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)subscription ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        var now = timeProvider.GetUtcNow();
        var statuses = new List<SubscriptionStatus>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var oldestUnclaimedAt = NullableTime(reader, 5);
            var lag = oldestUnclaimedAt is { } oldest && oldest < now ? now - oldest : TimeSpan.Zero;
            statuses.Add(new SubscriptionStatus(
                reader.GetString(0),
                reader.GetInt64(1),
                lag,
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                NullableTime(reader, 6),
                NullableTime(reader, 7)));
        }

        return statuses;
    }

    /// <summary>Reads the collector's checkpoints; returns null when the database has no <c>collector.checkpoints</c> table.</summary>
    public async Task<IReadOnlyList<CheckpointStatus>?> ReadCheckpointsAsync(CancellationToken cancellationToken)
    {
        await using (var exists = dataSource.CreateCommand("select to_regclass('collector.checkpoints') is not null"))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }

        await using var command = dataSource.CreateCommand(CheckpointsSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checkpoints = new List<CheckpointStatus>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = reader.GetString(0);
            var separator = key.IndexOf(':', StringComparison.Ordinal);
            checkpoints.Add(new CheckpointStatus(
                key,
                separator < 0 ? key : key[..separator],
                separator < 0 ? "" : key[(separator + 1)..],
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return checkpoints;
    }

    /// <summary>Reads the newest <paramref name="limit"/> dead letters, of one subscription or of all; returns them and the total count.</summary>
    public async Task<(IReadOnlyList<DeadLetter> DeadLetters, long Total)> ReadDeadLettersAsync(string? subscription, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(DeadLettersSql);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)subscription ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        var deadLetters = new List<DeadLetter>();
        long total = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            deadLetters.Add(new DeadLetter(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetString(7),
                reader.GetBoolean(8)));
            total = reader.GetInt64(9);
        }

        return (deadLetters, total);
    }

    /// <summary>
    /// Moves dead letters of <paramref name="subscription"/> back to the retry table, so the
    /// subscription processes them again at once: those in <paramref name="messageIds"/>, or all
    /// when it is null. A dead letter whose message retention already dropped stays where it is,
    /// with its payload copy, because <c>queue.requeue_dead_letters</c> would delete it unread.
    /// </summary>
    public async Task<RequeueResult> RequeueDeadLettersAsync(string subscription, IReadOnlyList<long>? messageIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var found = new List<long>();
        var retained = new List<long>();
        await using (var select = new NpgsqlCommand(RequeueCandidatesSql, connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = subscription });
            select.Parameters.Add(new NpgsqlParameter { Value = (object?)messageIds?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(reader.GetInt64(0));
                if (reader.GetBoolean(1))
                {
                    retained.Add(reader.GetInt64(0));
                }
            }
        }

        long requeued = 0;
        if (retained.Count > 0)
        {
            await using var requeue = new NpgsqlCommand("select queue.requeue_dead_letters($1, $2, $3)", connection, transaction);
            requeue.Parameters.Add(new NpgsqlParameter { Value = subscription });
            requeue.Parameters.Add(new NpgsqlParameter { Value = retained.ToArray() });
            requeue.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });
            requeued = (long)(await requeue.ExecuteScalarAsync(cancellationToken))!;
        }

        await transaction.CommitAsync(cancellationToken);
        var notFound = messageIds?.Except(found).Distinct().ToList() ?? [];
        return new RequeueResult(requeued, [.. found.Except(retained)], notFound);
    }

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
