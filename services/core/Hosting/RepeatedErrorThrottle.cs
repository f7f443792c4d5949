namespace Pipeline.Core.Hosting;

/// <summary>
/// Rate-limits the logging of an error that repeats in a loop: the first occurrence is logged at
/// once, identical ones (same exception type and message) are only counted, and the count is
/// logged with the next occurrence once <c>interval</c> has passed. A different error is logged
/// at once. Safe to use from several threads.
/// </summary>
public sealed class RepeatedErrorThrottle(TimeProvider timeProvider, TimeSpan interval)
{
    private readonly Lock gate = new();
    private string? lastKey;
    private DateTimeOffset lastLoggedAt;
    private int skipped;

    /// <summary>The shortest time between two log entries of one repeated error.</summary>
    public TimeSpan Interval => interval;

    /// <summary>
    /// Returns true when <paramref name="error"/> is to be logged now. <paramref name="repeats"/>
    /// is then the number of identical errors skipped since the last entry, or 0.
    /// </summary>
    public bool ShouldLog(Exception error, out int repeats)
    {
        var key = error.GetType().FullName + ": " + error.Message;
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            if (key != lastKey || now - lastLoggedAt >= interval)
            {
                repeats = key == lastKey ? skipped : 0;
                lastKey = key;
                lastLoggedAt = now;
                skipped = 0;
                return true;
            }

            skipped++;
            repeats = 0;
            return false;
        }
    }

    /// <summary>Forgets the last error after a success, so that the next failure is logged at once.</summary>
    public void Reset()
    {
        lock (gate)
        {
            lastKey = null;
            skipped = 0;
        }
    }
}
