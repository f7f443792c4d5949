namespace Pipeline.Core.Hosting;

/// <summary>Exponential backoff with jitter, for loops that retry outside a Polly pipeline.</summary>
public static class Backoff
{
    /// <summary>
    /// Returns the wait before attempt <paramref name="attempt"/> (1 for the first retry): the base
    /// doubled per attempt, capped at <paramref name="max"/>, then scaled by a random factor in
    /// [0.5, 1) so that replicas that failed together do not retry together.
    /// </summary>
    public static TimeSpan Exponential(TimeSpan baseDelay, TimeSpan max, int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ticks = Math.Min(baseDelay.Ticks * Math.Pow(2, exponent), max.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (0.5 + (Random.Shared.NextDouble() / 2))));
    }
}
