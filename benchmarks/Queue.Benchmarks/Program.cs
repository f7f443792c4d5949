using Microsoft.Extensions.Logging;
using Queue.Benchmarks;
using Queue.Benchmarks.Systems;

// Runs the queue workloads against the pipeline's queue, PgQ and graphile-worker on one PostgreSQL
// server and prints the figures as Markdown. Progress lines go to standard error.
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

var options = BenchmarkOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

var nodeScript = options.NodeScript ?? MachineInfo.FindInRepository("benchmarks/queue-peers/graphile-bench.mjs");
if (options.Runs("graphile-worker") && (nodeScript is null || !File.Exists(nodeScript)))
{
    Console.Error.WriteLine($"graphile-worker driver not found at '{nodeScript}'. Pass its path with --node-script, or leave graphile-worker out of --systems.");
    return 1;
}

string[] pageFiles = ["brexit.jsonl", "kpop.jsonl"];
var payloads = TweetPayloads.Load(pageFiles.Select(f => Path.Combine(AppContext.BaseDirectory, "data", f)));
var payloadsPath = Path.Combine(Path.GetTempPath(), $"queue-benchmark-payloads-{Environment.ProcessId}.jsonl");
payloads.WriteJsonLines(payloadsPath);

using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .SetMinimumLevel(LogLevel.Warning));
await using var server = new BenchmarkServer(options.Connection);
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var loadBefore = MachineInfo.LoadAverage();
var started = DateTimeOffset.UtcNow;
using var pipeline = new PipelineQueueSystem(options, payloads, loggerFactory);
var pgq = new PgqSystem(options, payloads, tickPerEvent: false);
var graphile = new GraphileWorkerSystem(options, nodeScript ?? "", payloadsPath);
IQueueSystem[] systems = [.. new IQueueSystem[] { pipeline, pgq, graphile }.Where(s => options.Runs(SystemKey(s)))];

var workloads = new Workloads(server, options, Console.Error);
var report = new Report(pipeline.Name);
var token = cancellation.Token;
var exitCode = 0;
try
{
    if (options.Includes("enqueue"))
    {
        foreach (var system in systems)
        {
            report.AddEnqueue(system == graphile ? $"{system.Name}, 1 job per tweet" : system.Name, await workloads.MeasureEnqueueAsync(system, 1, token));
        }

        if (systems.Contains(graphile))
        {
            report.AddEnqueue($"{graphile.Name}, 2 jobs per tweet (2 subscribers)", await workloads.MeasureEnqueueAsync(graphile, 2, token));
        }
    }

    if (options.Includes("consume"))
    {
        foreach (var system in systems)
        {
            report.AddConsume(system.Name, await workloads.MeasureConsumeAsync(system, token));
        }
    }

    if (options.Includes("latency"))
    {
        foreach (var system in systems)
        {
            report.AddLatency(system.Name, await workloads.MeasureLatencyAsync(system, token));
            if (system == pgq)
            {
                var tickPerRound = new PgqSystem(options, payloads, tickPerEvent: true);
                report.AddLatency(tickPerRound.Name, await workloads.MeasureLatencyAsync(tickPerRound, token));
            }
        }
    }

    if (options.Includes("storage"))
    {
        foreach (var system in systems)
        {
            foreach (var subscribers in (int[])[1, 2, 4])
            {
                report.AddStorage(system.Name, subscribers, await workloads.MeasureStorageAsync(system, subscribers, token));
            }
        }
    }

    if (options.Includes("hold"))
    {
        foreach (var system in systems)
        {
            var baseline = await workloads.MeasureHoldAsync(system, holdSnapshot: false, token);
            var withSnapshot = await workloads.MeasureHoldAsync(system, holdSnapshot: true, token);
            report.AddHold(system.Name, baseline, withSnapshot);
        }
    }
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    // The figures measured so far are still printed below.
    Console.Error.WriteLine($"The benchmark failed: {ex}");
    exitCode = 1;
}
finally
{
    File.Delete(payloadsPath);
}

var markdown = $"""
    Run {started:yyyy-MM-dd HH:mm} UTC, {(DateTimeOffset.UtcNow - started).TotalMinutes:N1} min.
    Machine: {MachineInfo.Describe()}; load average (1, 5, 15 min) {loadBefore} at the start, {MachineInfo.LoadAverage()} at the end.
    Server: {await server.DescribeAsync(token)}.
    Payloads: {payloads.Count} recorded tweet envelopes, {payloads.MeanBytes:N0} bytes on average.

    {report.ToMarkdown(options)}
    """;
Console.WriteLine(markdown);
if (options.OutputPath is not null)
{
    await File.WriteAllTextAsync(options.OutputPath, markdown, token);
}

return exitCode;

static string SystemKey(IQueueSystem system) => system switch
{
    PipelineQueueSystem => "pipeline",
    PgqSystem => "pgq",
    _ => "graphile-worker",
};
