using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Queue.Benchmarks.Systems;

/// <summary>
/// graphile-worker, run by the node script benchmarks/queue-peers/graphile-bench.mjs, which prints
/// one JSON object with its figures on its last line of output. graphile-worker has no fan-out: each
/// subscriber is a task of its own, and a tweet becomes one job per subscriber, each with its own
/// copy of the payload.
/// </summary>
internal sealed class GraphileWorkerSystem(BenchmarkOptions options, string scriptPath, string payloadsPath) : IQueueSystem
{
    public string Name => "graphile-worker";

    private long helperProcessorTicks;

    public IReadOnlyList<string> Schemas { get; } = ["graphile_worker"];

    public TimeSpan HelperProcessorTime => TimeSpan.FromTicks(Interlocked.Read(ref helperProcessorTicks));

    public async Task PrepareAsync(BenchmarkDatabase database, int subscribers, bool shortRetention, CancellationToken cancellationToken) =>
        await RunAsync(database, ["setup"], cancellationToken);

    public async Task<TimeSpan> EnqueueAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken)
    {
        var result = await RunAsync(database, ["enqueue", "--count", Text(count), "--subscribers", Text(subscribers)], cancellationToken);
        return TimeSpan.FromSeconds(result.GetProperty("seconds").GetDouble());
    }

    public async Task<IReadOnlyList<double>> ConsumeAsync(BenchmarkDatabase database, int count, int subscribers, CancellationToken cancellationToken)
    {
        // One node process per subscriber, as separate deployments would run them; each times
        // itself from the moment its worker started.
        var runs = Enumerable.Range(1, subscribers)
            .Select(i => RunAsync(database, ["consume", "--count", Text(count), "--subscriber", Text(i)], cancellationToken))
            .ToList();
        var results = await Task.WhenAll(runs);
        return [.. results.Select(r => r.GetProperty("perSecond").GetDouble())];
    }

    public async Task<LatencySummary> MeasureLatencyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var result = await RunAsync(database, ["latency", "--rate", Text(rate), "--seconds", Text(duration.TotalSeconds)], cancellationToken);
        return new LatencySummary(
            result.GetProperty("sent").GetInt64(),
            result.GetProperty("received").GetInt64(),
            result.GetProperty("p50").GetDouble(),
            result.GetProperty("p99").GetDouble(),
            result.GetProperty("max").GetDouble(),
            result.GetProperty("enqueueCallP50").GetDouble());
    }

    public async Task<SteadyResult> RunSteadyAsync(BenchmarkDatabase database, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var result = await RunAsync(database, ["steady", "--rate", Text(rate), "--seconds", Text(duration.TotalSeconds)], cancellationToken);
        return new SteadyResult(
            result.GetProperty("sent").GetInt64(),
            result.GetProperty("consumed").GetInt64(),
            TimeSpan.FromSeconds(result.GetProperty("seconds").GetDouble()));
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task<JsonElement> RunAsync(BenchmarkDatabase database, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetDirectoryName(scriptPath)!,
        };
        start.ArgumentList.Add(scriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--payloads");
        start.ArgumentList.Add(payloadsPath);
        start.ArgumentList.Add("--batch-size");
        start.ArgumentList.Add(Text(options.BatchSize));
        // The connection URL goes by environment, so it stays out of process listings.
        start.Environment["DATABASE_URL"] = database.Url;

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("Starting node failed; is node on the PATH?");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scriptPath} {arguments[0]} failed with exit code {process.ExitCode}; its error output is above.");
        }

        var lastLine = output.TrimEnd().Split('\n')[^1];
        using var document = JsonDocument.Parse(lastLine);
        if (document.RootElement.TryGetProperty("cpuSeconds", out var cpuSeconds))
        {
            Interlocked.Add(ref helperProcessorTicks, TimeSpan.FromSeconds(cpuSeconds.GetDouble()).Ticks);
        }

        return document.RootElement.Clone();
    }
}
