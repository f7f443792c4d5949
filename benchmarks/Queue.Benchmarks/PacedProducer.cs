using System.Diagnostics;

namespace Queue.Benchmarks;

/// <summary>
/// Sends messages at a steady rate: every 10 ms it sends the messages that fell due since the last
/// send, numbered from 0. A send that takes longer than its slot is caught up in the next one, up to
/// <see cref="MaxPerSend"/> messages, so the rate holds as long as the queue keeps up.
/// </summary>
internal static class PacedProducer
{
    public const int MaxPerSend = 500;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    /// <summary>Calls <paramref name="send"/> (first number, count) until <paramref name="duration"/> passes; returns how many messages it sent.</summary>
    public static async Task<long> RunAsync(int rate, TimeSpan duration, Func<long, int, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick);
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= duration)
            {
                break;
            }

            var due = (long)(elapsed.TotalSeconds * rate) - sent;
            if (due <= 0)
            {
                continue;
            }

            var count = (int)Math.Min(due, MaxPerSend);
            await send(sent, count, cancellationToken);
            sent += count;
        }

        return sent;
    }
}
