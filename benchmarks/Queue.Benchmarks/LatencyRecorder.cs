using System.Diagnostics;

namespace Queue.Benchmarks;

/// <summary>
/// Enqueue-to-claim latency per message: the <see cref="Stopwatch"/> time when the producer started
/// the enqueue call that carried it, and the time the consumer received it.
/// </summary>
internal sealed class LatencyRecorder(long capacity)
{
    private readonly long[] sentAt = new long[capacity];
    private readonly long[] receivedAt = new long[capacity];

    public void Sent(long first, int count)
    {
        var now = Stopwatch.GetTimestamp();
        Array.Fill(sentAt, now, (int)first, count);
    }

    public void Received(long sequence) => receivedAt[sequence] = Stopwatch.GetTimestamp();

    /// <summary>Summarises the first <paramref name="sent"/> messages; those never received count in <see cref="LatencySummary.Lost"/>.</summary>
    public LatencySummary Summarise(long sent)
    {
        var latencies = new List<double>((int)sent);
        for (var i = 0; i < sent; i++)
        {
            if (receivedAt[i] != 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sentAt[i], receivedAt[i]).TotalMilliseconds);
            }
        }

        return LatencySummary.From(latencies, sent);
    }
}

/// <summary>Percentiles of enqueue-to-claim latency in milliseconds, by the nearest-rank method.</summary>
internal sealed record LatencySummary(long Sent, long Received, double P50, double P99, double Max)
{
    public long Lost => Sent - Received;

    public static LatencySummary From(List<double> latencies, long sent)
    {
        if (latencies.Count == 0)
        {
            return new LatencySummary(sent, 0, double.NaN, double.NaN, double.NaN);
        }

        latencies.Sort();
        return new LatencySummary(sent, latencies.Count, Percentile(latencies, 50), Percentile(latencies, 99), latencies[^1]);
    }

    private static double Percentile(List<double> sorted, double percent) =>
        sorted[Math.Max(0, (int)Math.Ceiling(percent / 100 * sorted.Count) - 1)];
}
