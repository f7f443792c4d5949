using System.Diagnostics;
using Queue.Benchmarks.Systems;

namespace Queue.Benchmarks;

/// <summary>
/// Runs each workload on one system, every run in a fresh database that is dropped afterwards,
/// and with a checkpoint before it so that no run pays for the previous one's writes.
/// </summary>
internal sealed class Workloads(BenchmarkServer server, BenchmarkOptions options, TextWriter progress)
{
    /// <summary>Enqueue throughput in tweets per second, with <paramref name="subscribers"/> existing subscribers.</summary>
    public async Task<Throughput> MeasureEnqueueAsync(IQueueSystem system, int subscribers, CancellationToken cancellationToken)
    {
        await using var database = await StartRunAsync(system, "enqueue", subscribers, false, cancellationToken);
        var before = await ReadProcessorTimeAsync(system, cancellationToken);
        var elapsed = await system.EnqueueAsync(database, options.EnqueueCount, subscribers, cancellationToken);
        var after = await ReadProcessorTimeAsync(system, cancellationToken);
        return Throughput.From([options.EnqueueCount / elapsed.TotalSeconds], before, after, options.EnqueueCount);
    }

    /// <summary>Messages per second of each of two subscribers consuming a preloaded backlog at the same time.</summary>
    public async Task<Throughput> MeasureConsumeAsync(IQueueSystem system, CancellationToken cancellationToken)
    {
        const int subscribers = 2;
        await using var database = await StartRunAsync(system, "consume", subscribers, false, cancellationToken);
        await system.EnqueueAsync(database, options.ConsumeCount, subscribers, cancellationToken);
        await server.CheckpointAsync(cancellationToken);
        var before = await ReadProcessorTimeAsync(system, cancellationToken);
        var perSecond = await system.ConsumeAsync(database, options.ConsumeCount, subscribers, cancellationToken);
        var after = await ReadProcessorTimeAsync(system, cancellationToken);
        return Throughput.From(perSecond, before, after, (long)options.ConsumeCount * subscribers);
    }

    public async Task<LatencySummary> MeasureLatencyAsync(IQueueSystem system, CancellationToken cancellationToken)
    {
        await using var database = await StartRunAsync(system, "latency", 1, false, cancellationToken);
        return await system.MeasureLatencyAsync(database, options.LatencyRate, options.LatencyDuration, cancellationToken);
    }

    /// <summary>
    /// A paced producer and one consumer, with or without a REPEATABLE READ transaction held open
    /// for the whole run, sampling the size of the system's tables every
    /// <see cref="BenchmarkOptions.SizeInterval"/>.
    /// </summary>
    public async Task<HoldRun> MeasureHoldAsync(IQueueSystem system, bool holdSnapshot, CancellationToken cancellationToken)
    {
        var duration = holdSnapshot ? options.HoldDuration : options.BaselineDuration;
        await using var database = await StartRunAsync(system, holdSnapshot ? "hold" : "baseline", 1, true, cancellationToken);
        await using var snapshot = holdSnapshot ? await database.HoldSnapshotAsync(cancellationToken) : null;

        var sizes = new List<SizeSample> { new(TimeSpan.Zero, await database.MeasureTablesAsync(system.Schemas, cancellationToken)) };
        var started = Stopwatch.GetTimestamp();
        var run = system.RunSteadyAsync(database, options.HoldRate, duration, cancellationToken);
        while (true)
        {
            var nextSample = TimeSpan.FromTicks(options.SizeInterval.Ticks * sizes.Count) - Stopwatch.GetElapsedTime(started);
            var sampleDue = Task.Delay(nextSample > TimeSpan.Zero ? nextSample : TimeSpan.Zero, cancellationToken);
            if (await Task.WhenAny(run, sampleDue) == run)
            {
                break;
            }

            sizes.Add(new SizeSample(Stopwatch.GetElapsedTime(started), await database.MeasureTablesAsync(system.Schemas, cancellationToken)));
        }

        var result = await run;
        sizes.Add(new SizeSample(Stopwatch.GetElapsedTime(started), await database.MeasureTablesAsync(system.Schemas, cancellationToken)));
        return new HoldRun(result, sizes, await database.CountDeadRowsAsync(system.Schemas, cancellationToken));
    }

    /// <summary>Bytes that each enqueued tweet adds to the system's tables with <paramref name="subscribers"/> subscribers.</summary>
    public async Task<double> MeasureStorageAsync(IQueueSystem system, int subscribers, CancellationToken cancellationToken)
    {
        await using var database = await StartRunAsync(system, "storage", subscribers, false, cancellationToken);
        var before = await database.MeasureTablesAsync(system.Schemas, cancellationToken);
        await system.EnqueueAsync(database, options.StorageCount, subscribers, cancellationToken);
        var after = await database.MeasureTablesAsync(system.Schemas, cancellationToken);
        return (double)(after - before) / options.StorageCount;
    }

    private async Task<ProcessorTimes> ReadProcessorTimeAsync(IQueueSystem system, CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessorTimes(await server.ReadProcessorTimeAsync(cancellationToken), process.TotalProcessorTime + system.HelperProcessorTime);
    }

    private async Task<BenchmarkDatabase> StartRunAsync(IQueueSystem system, string workload, int subscribers, bool shortRetention, CancellationToken cancellationToken)
    {
        await progress.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss} {workload}: {system.Name}, {subscribers} subscriber(s)");
        await server.CheckpointAsync(cancellationToken);
        var database = await server.CreateDatabaseAsync(workload, cancellationToken);
        try
        {
            await system.PrepareAsync(database, subscribers, shortRetention, cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}

/// <summary>Processor time used so far by the server's container and by the clients: this process and the system's helper processes.</summary>
internal sealed record ProcessorTimes(TimeSpan? Server, TimeSpan Client);

/// <summary>
/// Messages per second, one figure per producer or subscriber, with the processor time that the
/// server and the clients spent per 1,000 messages (enqueued, or delivered to a subscriber).
/// </summary>
internal sealed record Throughput(IReadOnlyList<double> PerSecond, double? ServerMillisecondsPerThousand, double ClientMillisecondsPerThousand)
{
    public static Throughput From(IReadOnlyList<double> perSecond, ProcessorTimes before, ProcessorTimes after, long messages) => new(
        perSecond,
        after.Server - before.Server is { } server ? server.TotalMilliseconds * 1000 / messages : null,
        (after.Client - before.Client).TotalMilliseconds * 1000 / messages);
}

/// <summary>The size of a system's tables at a moment of a run.</summary>
internal sealed record SizeSample(TimeSpan At, long Bytes);

/// <summary>The outcome of one hold workload run.</summary>
/// <param name="DeadRows">Dead row versions in the system's tables at the end, before the transaction closed.</param>
internal sealed record HoldRun(SteadyResult Steady, IReadOnlyList<SizeSample> Sizes, long DeadRows);
