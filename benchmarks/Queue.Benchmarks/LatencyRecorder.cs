using System.Diagnostics;

namespace Queue.Benchmarks;

/// <summary>
/// Enqueue-to-claim latency per message: the <see cref="Stopwatch"/> time when the producer started
/// the enqueue call that carried it, when that call returned (the transaction had committed), and
/// when the consumer received the message.
/// </summary>
internal sealed class LatencyRecorder(long capacity)
{
    private readonly long[] sentAt = new long[capacity];
    private readonly long[] committedAt = new long[capacity];
    private readonly long[] receivedAt = new long[capacity];

    public void Sent(long first, int count) => Array.Fill(sentAt, Stopwatch.GetTimestamp(), (int)first, count);

    public void Committed(long first, int count) => Array.Fill(committedAt, Stopwatch.GetTimestamp(), (int)first, count);

    public void Received(long sequence) => receivedAt[sequence] = Stopwatch.GetTimestamp();

    /// <summary>Summarises the first <paramref name="sent"/> messages; those never received are left out of the percentiles.</summary>
    public LatencySummary Summarise(long sent)
    {
        var latencies = new List<double>((int)sent);
        var commits = new List<double>((int)sent);
        for (var i = 0; i < sent; i++)
        {
            commits.Add(Stopwatch.GetElapsedTime(sentAt[i], committedAt[i]).TotalMilliseconds);
            if (receivedAt[i] != 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sentAt[i], receivedAt[i]).TotalMilliseconds);
            }
        }

        return LatencySummary.From(latencies, commits, sent);
    }
}

/// <summary>
/// Percentiles of enqueue-to-claim latency in milliseconds, by the nearest-rank method, and the
/// median time the enqueue call itself took, which is part of that latency.
/// </summary>
internal sealed record LatencySummary(long Sent, long Received, double P50, double P99, double Max, double EnqueueCallP50)
{
    public static LatencySummary From(List<double> latencies, List<double> enqueueCalls, long sent)
    {
        latencies.Sort();
        enqueueCalls.Sort();
        return new LatencySummary(sent, latencies.Count, Percentile(latencies, 50), Percentile(latencies, 99),
            latencies.Count == 0 ? double.NaN : latencies[^1], Percentile(enqueueCalls, 50));
    }

    private static double Percentile(List<double> sorted, double percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(percent / 100 * sorted.Count) - 1)];
}
