namespace Queue.Benchmarks.Systems;

/// <summary>
/// One queue under test. Every method works on a database the caller made for that run and
/// prepared with <see cref="PrepareAsync"/>; payloads are the recorded tweet envelopes.
/// </summary>
internal interface IQueueSystem
{
    /// <summary>The name in the results table.</summary>
    string Name { get; }

    /// <summary>The schemas that hold the system's tables, for table sizes.</summary>
    IReadOnlyList<string> Schemas { get; }

    /// <summary>
    /// Processor time that helper processes of the system used so far in the measured parts of
    /// enqueue and consume runs; zero for a system driven from this process.
    /// </summary>
    TimeSpan HelperProcessorTime { get; }

    /// <summary>
    /// Installs the system's schema and creates <paramref name="subscribers"/> subscribers.
    /// <paramref name="shortRetention"/> makes finished messages leave the tables within seconds
    /// rather than hours, as the hold workload needs.
    /// </summary>
    Task PrepareAsync(BenchmarkDatabase database, int subscribers, bool shortRetention, CancellationToken cancellationToken);

    /// <summary>Enqueues <paramref name="count"/> tweets from one producer in calls of the configured batch size; returns the time taken.</summary>
    Task<TimeSpan> EnqueueAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="subscribers"/> subscribers at once on <paramref name="count"/> preloaded
    /// tweets; returns the messages per second that each consumed and acknowledged.
    /// </summary>
    Task<IReadOnlyList<double>> ConsumeAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken);

    /// <summary>Runs a paced producer and one consumer; returns the enqueue-to-claim latency.</summary>
    Task<LatencySummary> MeasureLatencyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Runs a paced producer and one consumer; returns what each did.</summary>
    Task<SteadyResult> RunSteadyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>The counts of a paced run with one consumer.</summary>
internal sealed record SteadyResult(long Enqueued, long Consumed, TimeSpan Elapsed)
{
    /// <summary>Messages enqueued but not yet consumed when the run ended.</summary>
    public long Backlog => Enqueued - Consumed;

    public double ConsumedPerSecond => Consumed / Elapsed.TotalSeconds;
}
