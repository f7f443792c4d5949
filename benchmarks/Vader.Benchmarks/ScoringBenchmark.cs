using System.Diagnostics;
using Pipeline.Vader;

namespace Vader.Benchmarks;

/// <summary>Throughput and allocation of the measured rounds, each scoring every tweet once on one thread.</summary>
internal sealed record BenchmarkResult(
    long ScoredCount,
    TimeSpan Elapsed,
    TimeSpan ProcessorTime,
    double TweetsPerSecond,
    double TweetsPerProcessorSecond,
    double SlowestRoundTweetsPerSecond,
    double MedianRoundTweetsPerSecond,
    double FastestRoundTweetsPerSecond,
    double AllocatedBytesPerTweet,
    double CompoundChecksum);

internal static class ScoringBenchmark
{
    /// <summary>
    /// Scores every tweet <paramref name="warmupRounds"/> times unmeasured, then
    /// <paramref name="rounds"/> times measured with a stopwatch, the process's processor time
    /// and the allocation counter of the current thread.
    /// </summary>
    public static BenchmarkResult Run(VaderScorer scorer, IReadOnlyList<string> tweets, int warmupRounds, int rounds)
    {
        for (var round = 0; round < warmupRounds; round++)
        {
            ScoreAll(scorer, tweets);
        }

        var checksum = 0.0;
        var roundTimes = new TimeSpan[rounds];

        using var process = Process.GetCurrentProcess();
        var processorTimeBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var total = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            var roundStart = total.Elapsed;
            checksum = ScoreAll(scorer, tweets);
            roundTimes[round] = total.Elapsed - roundStart;
        }

        total.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        process.Refresh();
        var processorTime = process.TotalProcessorTime - processorTimeBefore;

        Array.Sort(roundTimes);
        var scoredCount = (long)tweets.Count * rounds;
        return new BenchmarkResult(
            ScoredCount: scoredCount,
            Elapsed: total.Elapsed,
            ProcessorTime: processorTime,
            TweetsPerSecond: scoredCount / total.Elapsed.TotalSeconds,
            TweetsPerProcessorSecond: scoredCount / processorTime.TotalSeconds,
            SlowestRoundTweetsPerSecond: tweets.Count / roundTimes[^1].TotalSeconds,
            MedianRoundTweetsPerSecond: tweets.Count / roundTimes[rounds / 2].TotalSeconds,
            FastestRoundTweetsPerSecond: tweets.Count / roundTimes[0].TotalSeconds,
            AllocatedBytesPerTweet: (double)allocated / scoredCount,
            CompoundChecksum: checksum);
    }

    // Returns the sum of compound scores, which the caller prints so the work cannot be elided.
    private static double ScoreAll(VaderScorer scorer, IReadOnlyList<string> tweets)
    {
        var sum = 0.0;
        for (var i = 0; i < tweets.Count; i++)
        {
            sum += scorer.Score(tweets[i]).Compound;
        }

        return sum;
    }
}
