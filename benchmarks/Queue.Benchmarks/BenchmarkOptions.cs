using System.Globalization;

namespace Queue.Benchmarks;

/// <summary>Command-line options of the queue benchmark; the defaults are those of the full run.</summary>
internal sealed record BenchmarkOptions
{
    public const string Usage = """
        Usage: Queue.Benchmarks --connection CONNECTION_STRING [options]
               Queue.Benchmarks --help

        Runs the queue workloads against the pipeline's queue, PgQ and graphile-worker on one
        PostgreSQL server and prints the figures as Markdown. benchmarks/queue-peers/run.sh starts
        the server and passes --connection.

          --connection TEXT          Npgsql connection string of a superuser to the server's postgres
                                     database; each run creates and drops a database of its own
          --systems LIST             comma-separated: pipeline,pgq,graphile-worker (default all)
          --workloads LIST           comma-separated: enqueue,consume,latency,hold,storage (default all)
          --node-script PATH         graphile-worker driver (default benchmarks/queue-peers/graphile-bench.mjs
                                     of the repository that contains this program)
          --output PATH              also write the Markdown figures to this file

          --batch-size COUNT         messages per enqueue call and per claim (default 500)
          --enqueue-count COUNT      tweets enqueued by the enqueue workload (default 100000)
          --consume-count COUNT      tweets preloaded for the consume workload (default 100000)
          --latency-rate COUNT       tweets per second of the paced producer (default 1000)
          --latency-seconds SECONDS  length of each latency run (default 60)
          --hold-rate COUNT          tweets per second of the hold workload's producer (default 800)
          --hold-seconds SECONDS     length of the run with a REPEATABLE READ transaction open (default 180)
          --baseline-seconds SECONDS length of the same run without that transaction (default 45)
          --size-interval SECONDS    seconds between table size samples in the hold runs (default 30)
          --partition-size COUNT     ids per queue partition in the hold runs (default 10000)
          --pgq-rotation SECONDS     PgQ queue_rotation_period in the hold runs (default 30)
          --pgq-poll-ms MILLISECONDS pause of a PgQ consumer that found no batch (default 100)
          --storage-count COUNT      tweets enqueued per storage measurement (default 10000)
        """;

    private static readonly string[] AllSystems = ["pipeline", "pgq", "graphile-worker"];
    private static readonly string[] AllWorkloads = ["enqueue", "consume", "latency", "hold", "storage"];

    // Options that take a whole number, with how each sets its property.
    private static readonly Dictionary<string, Func<BenchmarkOptions, int, BenchmarkOptions>> NumberOptions = new()
    {
        ["--batch-size"] = (o, n) => o with { BatchSize = n },
        ["--enqueue-count"] = (o, n) => o with { EnqueueCount = n },
        ["--consume-count"] = (o, n) => o with { ConsumeCount = n },
        ["--latency-rate"] = (o, n) => o with { LatencyRate = n },
        ["--latency-seconds"] = (o, n) => o with { LatencyDuration = TimeSpan.FromSeconds(n) },
        ["--hold-rate"] = (o, n) => o with { HoldRate = n },
        ["--hold-seconds"] = (o, n) => o with { HoldDuration = TimeSpan.FromSeconds(n) },
        ["--baseline-seconds"] = (o, n) => o with { BaselineDuration = TimeSpan.FromSeconds(n) },
        ["--size-interval"] = (o, n) => o with { SizeInterval = TimeSpan.FromSeconds(n) },
        ["--partition-size"] = (o, n) => o with { PartitionSize = n },
        ["--pgq-rotation"] = (o, n) => o with { PgqRotationPeriod = TimeSpan.FromSeconds(n) },
        ["--pgq-poll-ms"] = (o, n) => o with { PgqPollInterval = TimeSpan.FromMilliseconds(n) },
        ["--storage-count"] = (o, n) => o with { StorageCount = n },
    };

    public string Connection { get; init; } = "";

    public IReadOnlyList<string> Systems { get; init; } = AllSystems;

    public IReadOnlyList<string> Workloads { get; init; } = AllWorkloads;

    public string? NodeScript { get; init; }

    public string? OutputPath { get; init; }

    public int BatchSize { get; init; } = 500;

    public int EnqueueCount { get; init; } = 100_000;

    public int ConsumeCount { get; init; } = 100_000;

    public int LatencyRate { get; init; } = 1_000;

    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(60);

    public int HoldRate { get; init; } = 800;

    public TimeSpan HoldDuration { get; init; } = TimeSpan.FromSeconds(180);

    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(45);

    public TimeSpan SizeInterval { get; init; } = TimeSpan.FromSeconds(30);

    public int PartitionSize { get; init; } = 10_000;

    public TimeSpan PgqRotationPeriod { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan PgqPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public int StorageCount { get; init; } = 10_000;

    public bool Runs(string system) => Systems.Contains(system);

    public bool Includes(string workload) => Workloads.Contains(workload);

    /// <summary>Parses <paramref name="args"/>, or returns null with <paramref name="error"/> set.</summary>
    public static BenchmarkOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            var name = args[i];
            if (i + 1 == args.Length)
            {
                error = $"Option '{name}' is missing its value.";
                return null;
            }

            var value = args[i + 1];
            options = Apply(options, name, value, out error)!;
            if (error is not null)
            {
                return null;
            }
        }

        if (string.IsNullOrWhiteSpace(options.Connection))
        {
            error = "--connection is missing: pass the Npgsql connection string of the benchmark server.";
            return null;
        }

        error = null;
        return options;
    }

    private static BenchmarkOptions? Apply(BenchmarkOptions options, string name, string value, out string? error)
    {
        error = null;
        switch (name)
        {
            case "--connection":
                return options with { Connection = value };
            case "--node-script":
                return options with { NodeScript = value };
            case "--output":
                return options with { OutputPath = value };
            case "--systems":
                return ParseList(value, AllSystems, name, out error) is { } systems ? options with { Systems = systems } : null;
            case "--workloads":
                return ParseList(value, AllWorkloads, name, out error) is { } workloads ? options with { Workloads = workloads } : null;
        }

        if (!NumberOptions.TryGetValue(name, out var set))
        {
            error = $"Unknown option '{name}'.";
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            error = $"Invalid value '{value}' for {name}: expected a whole number of at least 1.";
            return null;
        }

        return set(options, number);
    }

    private static string[]? ParseList(string value, string[] allowed, string name, out string? error)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = items.FirstOrDefault(item => !allowed.Contains(item));
        if (items.Length == 0 || unknown is not null)
        {
            error = $"Invalid value '{value}' for {name}: expected a comma-separated list of {string.Join(", ", allowed)}.";
            return null;
        }

        error = null;
        return items;
    }
}
