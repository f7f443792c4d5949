using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Queue.Benchmarks.Systems;

/// <summary>
/// PgQ 3.5 (Debian's postgresql-17-pgq3) with the pgqd daemon ticking inside the server's container
/// every 0.1 s (benchmarks/queue-peers/pgqd.ini). Producers call <c>pgq.insert_event</c> once per
/// tweet, a batch in one statement and transaction. Consumers follow PgQ's own consumer loop:
/// <c>next_batch</c>, <c>get_batch_events</c>, <c>finish_batch</c> in one transaction, and a pause of
/// <see cref="BenchmarkOptions.PgqPollInterval"/> when no batch is ready, because PgQ has no
/// notification for new batches. <c>ev_extra1</c> carries the message number.
/// </summary>
/// <param name="tickPerEvent">
/// Ticks as soon as any event is waiting (<c>ticker_max_count</c> 1) rather than after PgQ's default
/// of 500 events or 3 s, so that a batch closes at each pgqd round.
/// </param>
internal sealed class PgqSystem(BenchmarkOptions options, TweetPayloads payloads, bool tickPerEvent) : IQueueSystem
{
    private const string QueueName = "tweets";

    public string Name => tickPerEvent ? "PgQ, tick per pgqd round" : "PgQ";

    public TimeSpan HelperProcessorTime => TimeSpan.Zero;

    public IReadOnlyList<string> Schemas { get; } = ["pgq"];

    public async Task PrepareAsync(BenchmarkDatabase database, int subscribers, bool shortRetention, CancellationToken cancellationToken)
    {
        await ExecuteAsync(database, "create extension pgq", cancellationToken);
        await ExecuteAsync(database, $"select pgq.create_queue('{QueueName}')", cancellationToken);
        if (tickPerEvent)
        {
            await ExecuteAsync(database, $"select pgq.set_queue_config('{QueueName}', 'ticker_max_count', '1')", cancellationToken);
        }

        if (shortRetention)
        {
            var seconds = options.PgqRotationPeriod.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            await ExecuteAsync(database, $"select pgq.set_queue_config('{QueueName}', 'rotation_period', '{seconds} seconds')", cancellationToken);
        }

        for (var i = 1; i <= subscribers; i++)
        {
            await ExecuteAsync(database, $"select pgq.register_consumer('{QueueName}', '{ConsumerName(i)}')", cancellationToken);
        }
    }

    public async Task<TimeSpan> EnqueueAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        for (long first = 0; first < count; first += options.BatchSize)
        {
            await InsertAsync(connection, first, (int)Math.Min(options.BatchSize, count - first), cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    public async Task<IReadOnlyList<double>> ConsumeAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken)
    {
        // The preload's last events wait for a tick; take it now instead of at pgqd's next round.
        await ExecuteAsync(database, $"select pgq.force_tick('{QueueName}'); select pgq.ticker('{QueueName}')", cancellationToken);

        var started = Stopwatch.GetTimestamp();
        var consumers = Enumerable.Range(1, subscribers)
            .Select(i => ConsumeUntilAsync(database, ConsumerName(i), count, null, cancellationToken))
            .ToList();
        var finishedAt = await Task.WhenAll(consumers);
        return [.. finishedAt.Select(end => count / Stopwatch.GetElapsedTime(started, end).TotalSeconds)];
    }

    public async Task<LatencySummary> MeasureLatencyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder((long)(rate * (duration.TotalSeconds + 1)));
        var (sent, _) = await RunProducerAndConsumerAsync(database, rate, duration, recorder, drain: true, cancellationToken);
        return recorder.Summarise(sent);
    }

    public async Task<SteadyResult> RunSteadyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (sent, consumed) = await RunProducerAndConsumerAsync(database, rate, duration, null, drain: false, cancellationToken);
        return new SteadyResult(sent, consumed, Stopwatch.GetElapsedTime(started));
    }

    private static string ConsumerName(int number) => $"subscriber-{number}";

    private async Task<(long Sent, long Consumed)> RunProducerAndConsumerAsync(
        BenchmarkDatabase database, int rate, TimeSpan duration, LatencyRecorder? recorder, bool drain, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var consumed = 0L;
        var consumer = Task.Run(
            () => ConsumeUntilAsync(database, ConsumerName(1), long.MaxValue, sequence =>
            {
                recorder?.Received(sequence);
                Interlocked.Increment(ref consumed);
            }, stop.Token),
            CancellationToken.None);

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var sent = await PacedProducer.RunAsync(rate, duration, async (first, count, token) =>
        {
            recorder?.Sent(first, count);
            await InsertAsync(connection, first, count, token);
            recorder?.Committed(first, count);
        }, cancellationToken);

        if (drain)
        {
            var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
            while (Interlocked.Read(ref consumed) < sent && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }

        await stop.CancelAsync();
        try
        {
            await consumer;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }

        return (sent, Interlocked.Read(ref consumed));
    }

    private async Task InsertAsync(NpgsqlConnection connection, long first, int count, CancellationToken cancellationToken)
    {
        var keys = new string[count];
        var data = new string[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = (first + i).ToString(CultureInfo.InvariantCulture);
            data[i] = payloads.Get(first + i);
        }

        await using var command = new NpgsqlCommand(
            $"select count(pgq.insert_event('{QueueName}', 'tweet', d, k, null, null, null)) from unnest($1, $2) as u (k, d)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// Consumes batches until <paramref name="target"/> events were seen or the token is cancelled;
    /// returns the <see cref="Stopwatch"/> time when the target was reached.
    /// </summary>
    private async Task<long> ConsumeUntilAsync(BenchmarkDatabase database, string consumer, long target, Action<long>? onEvent, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        long seen = 0;
        while (seen < target)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long? batchId;
            await using (var next = new NpgsqlCommand($"select pgq.next_batch('{QueueName}', '{consumer}')", connection, transaction))
            {
                batchId = await next.ExecuteScalarAsync(cancellationToken) as long?;
            }

            if (batchId is null)
            {
                await transaction.CommitAsync(cancellationToken);
                await Task.Delay(options.PgqPollInterval, cancellationToken);
                continue;
            }

            await using (var events = new NpgsqlCommand("select ev_extra1, ev_data from pgq.get_batch_events($1)", connection, transaction))
            {
                events.Parameters.Add(new NpgsqlParameter { Value = batchId.Value });
                await using var reader = await events.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    _ = reader.GetString(1);
                    onEvent?.Invoke(long.Parse(reader.GetString(0), CultureInfo.InvariantCulture));
                    seen++;
                }
            }

            await using (var finish = new NpgsqlCommand("select pgq.finish_batch($1)", connection, transaction))
            {
                finish.Parameters.Add(new NpgsqlParameter { Value = batchId.Value });
                await finish.ExecuteScalarAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return Stopwatch.GetTimestamp();
    }

    private static async Task ExecuteAsync(BenchmarkDatabase database, string sql, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
