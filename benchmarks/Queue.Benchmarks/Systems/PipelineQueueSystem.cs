using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Polly.Registry;

namespace Queue.Benchmarks.Systems;

/// <summary>
/// The pipeline's own queue, driven the way the services drive it: <see cref="QueueClient"/> to
/// enqueue, and a <see cref="QueueConsumer"/> per subscriber with LISTEN/NOTIFY wake-up through
/// <see cref="QueueNotifications"/>. Message keys carry the message number.
/// </summary>
internal sealed class PipelineQueueSystem(BenchmarkOptions options, TweetPayloads payloads, ILoggerFactory loggerFactory) : IQueueSystem, IDisposable
{
    private readonly ServiceProvider resilience = new ServiceCollection().AddPipelineResilience().BuildServiceProvider();

    public string Name => "pipeline queue";

    public TimeSpan HelperProcessorTime => TimeSpan.Zero;

    public IReadOnlyList<string> Schemas { get; } = ["queue"];

    public async Task PrepareAsync(BenchmarkDatabase database, int subscribers, bool shortRetention, CancellationToken cancellationToken)
    {
        await Migrations.ApplyAsync(database.DataSource, typeof(QueueClient).Assembly, "queue", loggerFactory.CreateLogger("migrations"), cancellationToken);
        if (shortRetention)
        {
            await using (var setSize = database.DataSource.CreateCommand("update queue.settings set value = $1 where name = 'partition_size'"))
            {
                setSize.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (long)options.PartitionSize });
                await setSize.ExecuteNonQueryAsync(cancellationToken);
            }

            // The migration made the first partition with the default size; dropping it while it is
            // empty lets the next enqueue create partitions of the new size.
            await using var dropEmpty = database.DataSource.CreateCommand("""
                do $$
                declare
                    v_partition regclass;
                begin
                    for v_partition in select inhrelid::regclass from pg_inherits where inhparent = 'queue.messages'::regclass loop
                        execute format('drop table %s', v_partition);
                    end loop;
                end $$
                """);
            await dropEmpty.ExecuteNonQueryAsync(cancellationToken);
        }

        var client = new QueueClient(database.DataSource, TimeProvider.System);
        for (var i = 1; i <= subscribers; i++)
        {
            await client.SubscribeAsync(SubscriptionName(i), SubscriptionStart.Oldest, cancellationToken);
        }
    }

    public async Task<TimeSpan> EnqueueAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken)
    {
        var client = new QueueClient(database.DataSource, TimeProvider.System);
        var started = Stopwatch.GetTimestamp();
        for (long first = 0; first < count; first += options.BatchSize)
        {
            await client.EnqueueAsync(Messages(first, (int)Math.Min(options.BatchSize, count - first)), cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    public async Task<IReadOnlyList<double>> ConsumeAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken)
    {
        var handlers = Enumerable.Range(1, subscribers).Select(_ => new CountingHandler(count)).ToList();
        var consumers = handlers.Select((handler, i) => CreateConsumer(database, SubscriptionName(i + 1), handler)).ToList();
        var started = Stopwatch.GetTimestamp();
        foreach (var consumer in consumers)
        {
            await consumer.Consumer.StartAsync(cancellationToken);
        }

        await Task.WhenAll(handlers.Select(h => h.Done.Task.WaitAsync(cancellationToken)));
        await StopAsync(consumers);
        return [.. handlers.Select(h => count / Stopwatch.GetElapsedTime(started, h.DoneAt).TotalSeconds)];
    }

    public async Task<LatencySummary> MeasureLatencyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder((long)(rate * (duration.TotalSeconds + 1)));
        var handler = new CountingHandler(long.MaxValue, messages =>
        {
            foreach (var message in messages)
            {
                recorder.Received(long.Parse(message.Key!, CultureInfo.InvariantCulture));
            }
        });

        var sent = await RunProducerAndConsumerAsync(database, handler, rate, duration, recorder, cancellationToken);
        return recorder.Summarise(sent);
    }

    public async Task<SteadyResult> RunSteadyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var handler = new CountingHandler(long.MaxValue);
        var started = Stopwatch.GetTimestamp();
        var sent = await RunProducerAndConsumerAsync(database, handler, rate, duration, null, cancellationToken, drain: false);
        return new SteadyResult(sent, handler.Count, Stopwatch.GetElapsedTime(started));
    }

    public void Dispose() => resilience.Dispose();

    private static string SubscriptionName(int number) => $"subscriber-{number}";

    private async Task<long> RunProducerAndConsumerAsync(
        BenchmarkDatabase database,
        CountingHandler handler,
        int rate,
        TimeSpan duration,
        LatencyRecorder? recorder,
        CancellationToken cancellationToken,
        bool drain = true)
    {
        var client = new QueueClient(database.DataSource, TimeProvider.System);
        var consumer = CreateConsumer(database, SubscriptionName(1), handler);
        await consumer.Consumer.StartAsync(cancellationToken);

        var sent = await PacedProducer.RunAsync(rate, duration, async (first, count, token) =>
        {
            recorder?.Sent(first, count);
            await client.EnqueueAsync(Messages(first, count), token);
            recorder?.Committed(first, count);
        }, cancellationToken);

        if (drain)
        {
            // Messages sent in the last moments are still in flight; give them a few seconds.
            await handler.WaitForCountAsync(sent, TimeSpan.FromSeconds(5), cancellationToken);
        }

        await StopAsync([consumer]);
        return sent;
    }

    private List<OutgoingMessage> Messages(long first, int count)
    {
        var messages = new List<OutgoingMessage>(count);
        for (var sequence = first; sequence < first + count; sequence++)
        {
            messages.Add(new OutgoingMessage(sequence.ToString(CultureInfo.InvariantCulture), payloads.Get(sequence)));
        }

        return messages;
    }

    private RunningConsumer CreateConsumer(BenchmarkDatabase database, string subscription, IQueueHandler handler)
    {
        var notifications = new QueueNotifications(database.DataSource, TimeProvider.System, loggerFactory.CreateLogger<QueueNotifications>());
        var settings = Options.Create(new QueueConsumerOptions { Subscription = subscription, BatchSize = options.BatchSize });
        var consumer = new QueueConsumer(
            new QueueClient(database.DataSource, TimeProvider.System),
            notifications,
            handler,
            settings,
            resilience.GetRequiredService<ResiliencePipelineProvider<string>>(),
            TimeProvider.System,
            loggerFactory.CreateLogger<QueueConsumer>());
        return new RunningConsumer(consumer, notifications);
    }

    private static async Task StopAsync(IEnumerable<RunningConsumer> consumers)
    {
        foreach (var running in consumers)
        {
            await running.Consumer.StopAsync(CancellationToken.None);
            running.Consumer.Dispose();
            running.Notifications.Dispose();
        }
    }

    private sealed record RunningConsumer(QueueConsumer Consumer, QueueNotifications Notifications);

    /// <summary>A subscriber that does no work: it counts what it receives and acknowledges everything.</summary>
    private sealed class CountingHandler(long target, Action<IReadOnlyList<QueueMessage>>? onBatch = null) : IQueueHandler
    {
        private long count;

        public long Count => Interlocked.Read(ref count);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The <see cref="Stopwatch"/> time when the count reached the target.</summary>
        public long DoneAt { get; private set; }

        public Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            onBatch?.Invoke(messages);
            if (Interlocked.Add(ref count, messages.Count) >= target && DoneAt == 0)
            {
                DoneAt = Stopwatch.GetTimestamp();
                Done.TrySetResult();
            }

            return Task.FromResult<IReadOnlyList<MessageFailure>>([]);
        }

        public async Task WaitForCountAsync(long expected, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (Count < expected && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
    }
}
