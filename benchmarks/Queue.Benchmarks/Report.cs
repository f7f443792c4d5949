using System.Globalization;
using System.Text;

namespace Queue.Benchmarks;

/// <summary>
/// Collects the figures of every workload and writes them as Markdown tables. Ratios divide the
/// pipeline queue's figure by the peer's, so above 1 means a higher figure for the pipeline queue:
/// better for throughput, worse for latency and storage. Processor times are those of the server's
/// container and of the client processes, so they hold when other work shares the machine and the
/// wall-clock figures do not.
/// </summary>
internal sealed class Report(string pipelineName)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly List<(string System, Throughput Throughput)> enqueue = [];
    private readonly List<(string System, Throughput Throughput)> consume = [];
    private readonly List<(string System, LatencySummary Latency)> latency = [];
    private readonly List<(string System, HoldRun Baseline, HoldRun WithSnapshot)> hold = [];
    private readonly List<(string System, int Subscribers, double BytesPerMessage)> storage = [];

    public void AddEnqueue(string system, Throughput throughput) => enqueue.Add((system, throughput));

    public void AddConsume(string system, Throughput throughput) => consume.Add((system, throughput));

    public void AddLatency(string system, LatencySummary summary) => latency.Add((system, summary));

    public void AddHold(string system, HoldRun baseline, HoldRun withSnapshot) => hold.Add((system, baseline, withSnapshot));

    public void AddStorage(string system, int subscribers, double bytesPerMessage) => storage.Add((system, subscribers, bytesPerMessage));

    public string ToMarkdown(BenchmarkOptions options)
    {
        var text = new StringBuilder();
        WriteEnqueue(text, options);
        WriteConsume(text, options);
        WriteLatency(text, options);
        WriteHold(text, options);
        WriteStorage(text, options);
        return text.ToString();
    }

    private void WriteEnqueue(StringBuilder text, BenchmarkOptions options)
    {
        if (enqueue.Count == 0)
        {
            return;
        }

        Line(text, $"#### 1. Enqueue throughput ({options.EnqueueCount:N0} tweets, {options.BatchSize} per call, one producer)");
        Line(text, "");
        Line(text, "| system | tweets/s | pipeline queue ÷ system | processor ms per 1,000 tweets: server | clients |");
        Line(text, "|---|---:|---:|---:|---:|");
        var ours = Find(enqueue, e => e.System, e => e.Throughput.PerSecond[0]);
        foreach (var (system, throughput) in enqueue)
        {
            var perSecond = throughput.PerSecond[0];
            Line(text, $"| {system} | {perSecond:N0} | {Ratio(ours, perSecond)} | {ProcessorTime(throughput)} |");
        }

        Line(text, "");
        Goal(text, "at least 10,000 tweets/s", ours >= 10_000);
    }

    private void WriteConsume(StringBuilder text, BenchmarkOptions options)
    {
        if (consume.Count == 0)
        {
            return;
        }

        Line(text, $"#### 2. Consume throughput ({options.ConsumeCount:N0} preloaded tweets, two subscribers at once)");
        Line(text, "");
        Line(text, "| system | subscriber 1, messages/s | subscriber 2, messages/s | pipeline queue ÷ system (slower subscriber) "
            + "| processor ms per 1,000 deliveries: server | clients |");
        Line(text, "|---|---:|---:|---:|---:|---:|");
        var ours = Find(consume, c => c.System, c => c.Throughput.PerSecond.Min());
        foreach (var (system, throughput) in consume)
        {
            var perSecond = throughput.PerSecond;
            Line(text, $"| {system} | {perSecond[0]:N0} | {perSecond[1]:N0} | {Ratio(ours, perSecond.Min())} | {ProcessorTime(throughput)} |");
        }

        Line(text, "");
        Goal(text, "at least 5,000 messages/s for each subscriber while both run", ours >= 5_000);
    }

    private void WriteLatency(StringBuilder text, BenchmarkOptions options)
    {
        if (latency.Count == 0)
        {
            return;
        }

        Line(text, $"#### 3. Enqueue-to-claim latency ({options.LatencyRate:N0} tweets/s for {options.LatencyDuration.TotalSeconds:N0} s, one consumer)");
        Line(text, "");
        Line(text, "| system | p50, ms | p99, ms | max, ms | received of sent | pipeline queue ÷ system, p50 | p99 | enqueue call p50, ms |");
        Line(text, "|---|---:|---:|---:|---:|---:|---:|---:|");
        var ours = latency.FirstOrDefault(l => l.System == pipelineName).Latency;
        foreach (var (system, summary) in latency)
        {
            Line(text, $"| {system} | {summary.P50:N1} | {summary.P99:N1} | {summary.Max:N1} | {summary.Received:N0} of {summary.Sent:N0} "
                + $"| {Ratio(ours?.P50, summary.P50)} | {Ratio(ours?.P99, summary.P99)} | {summary.EnqueueCallP50:N1} |");
        }

        Line(text, "");
        if (ours is not null)
        {
            Goal(text, "p50 at most 100 ms", ours.P50 <= 100);
            Goal(text, "p99 at most 1 s", ours.P99 <= 1_000);
        }
    }

    private void WriteHold(StringBuilder text, BenchmarkOptions options)
    {
        if (hold.Count == 0)
        {
            return;
        }

        Line(text, $"#### 4. A REPEATABLE READ transaction open for {options.HoldDuration.TotalSeconds:N0} s ({options.HoldRate:N0} tweets/s produced, one consumer)");
        Line(text, "");
        Line(text, $"| system | consumed/s without ({options.BaselineDuration.TotalSeconds:N0} s) | consumed/s with | change | backlog at end, with | pipeline queue ÷ system, consumed/s with |");
        Line(text, "|---|---:|---:|---:|---:|---:|");
        var ours = hold.FirstOrDefault(h => h.System == pipelineName);
        foreach (var (system, baseline, withSnapshot) in hold)
        {
            var change = Math.Round(((withSnapshot.Steady.ConsumedPerSecond / baseline.Steady.ConsumedPerSecond) - 1) * 100, 1);
            Line(text, $"| {system} | {baseline.Steady.ConsumedPerSecond:N0} | {withSnapshot.Steady.ConsumedPerSecond:N0} | {(change > 0 ? "+" : "")}{change:N1} % "
                + $"| {withSnapshot.Steady.Backlog:N0} | {Ratio(ours.WithSnapshot?.Steady.ConsumedPerSecond, withSnapshot.Steady.ConsumedPerSecond)} |");
        }

        Line(text, "");
        Line(text, "Table size (MB, every table of the system with indexes and TOAST) during the run with the transaction open:");
        Line(text, "");
        Line(text, "| system | MB at seconds since start | MB without the transaction, at the end | dead rows at the end, with | without |");
        Line(text, "|---|---|---:|---:|---:|");
        foreach (var (system, baseline, withSnapshot) in hold)
        {
            var samples = string.Join(", ", withSnapshot.Sizes.Select((s, i) => i == withSnapshot.Sizes.Count - 1
                ? string.Create(Invariant, $"end ({s.At.TotalSeconds:N0} s): {s.Bytes / 1e6:N1}")
                : string.Create(Invariant, $"{s.At.TotalSeconds:N0} s: {s.Bytes / 1e6:N1}")));
            Line(text, $"| {system} | {samples} | {baseline.Sizes[^1].Bytes / 1e6:N1} | {withSnapshot.DeadRows:N0} | {baseline.DeadRows:N0} |");
        }

        Line(text, "");
        if (ours.WithSnapshot is not null)
        {
            var drop = 1 - (ours.WithSnapshot.Steady.ConsumedPerSecond / ours.Baseline.Steady.ConsumedPerSecond);
            Goal(text, "throughput drop at most 10 %", drop <= 0.10);
        }
    }

    private void WriteStorage(StringBuilder text, BenchmarkOptions options)
    {
        if (storage.Count == 0)
        {
            return;
        }

        Line(text, $"#### 5. Storage per message ({options.StorageCount:N0} tweets enqueued, none consumed)");
        Line(text, "");
        var counts = storage.Select(s => s.Subscribers).Distinct().Order().ToList();
        Line(text, "| system | " + string.Join(" | ", counts.Select(c => $"bytes/message, {c} subscriber{(c == 1 ? "" : "s")}")) + " | pipeline queue ÷ system, " + counts[^1] + " |");
        Line(text, "|---|" + string.Concat(counts.Select(_ => "---:|")) + "---:|");
        foreach (var system in storage.Select(s => s.System).Distinct())
        {
            var row = counts.Select(c => storage.FirstOrDefault(s => s.System == system && s.Subscribers == c).BytesPerMessage).ToList();
            var ours = storage.FirstOrDefault(s => s.System == pipelineName && s.Subscribers == counts[^1]).BytesPerMessage;
            Line(text, $"| {system} | " + string.Join(" | ", row.Select(b => b.ToString("N0", Invariant))) + $" | {Ratio(ours, row[^1])} |");
        }

        Line(text, "");
    }

    private double Find<T>(List<T> rows, Func<T, string> system, Func<T, double> value) =>
        rows.Where(r => system(r) == pipelineName).Select(value).DefaultIfEmpty(double.NaN).First();

    private static string ProcessorTime(Throughput throughput) =>
        $"{(throughput.ServerMillisecondsPerThousand is { } server ? server.ToString("N0", Invariant) : "n/a")} | {throughput.ClientMillisecondsPerThousand:N0}";

    private static string Ratio(double? ours, double? other) =>
        ours is { } a && other is { } b && b > 0 && !double.IsNaN(a) ? (a / b).ToString("N2", Invariant) : "n/a";

    private static void Goal(StringBuilder text, string goal, bool met)
    {
        Line(text, $"Goal for the pipeline queue, {goal}: {(met ? "met" : "NOT met")}.");
        Line(text, "");
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
