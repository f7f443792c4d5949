namespace Pipeline.GetTweets.Synthetic;

/// <summary>
/// A small seeded generator (SplitMix64, Steele, Lea and Flood, OOPSLA 2014) whose sequence is
/// fixed by this code alone. <see cref="Random"/> is not used, because its sequence for a seed is
/// not promised to stay the same across .NET versions, and the synthetic ids must.
/// </summary>
internal sealed class SyntheticRandom
{
    private ulong state;

    /// <summary>Starts a sequence from a seed and any number of labels, so that each page or tweet gets a stream of its own.</summary>
    public SyntheticRandom(long seed, params ReadOnlySpan<long> labels)
    {
        state = Mix((ulong)seed);
        foreach (var label in labels)
        {
            state = Mix(state ^ (ulong)label);
        }
    }

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextBits()
    {
        state += 0x9E3779B97F4A7C15;
        return Mix(state);
    }

    /// <summary>Returns an integer from <paramref name="min"/> (inclusive) to <paramref name="max"/> (exclusive).</summary>
    public int Next(int min, int max) => min + (int)(NextBits() % (ulong)(max - min));

    /// <summary>Returns a number in [0, 1).</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns true with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Returns one item of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
