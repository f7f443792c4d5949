using System.Globalization;

namespace Vader.Benchmarks;

/// <summary>Command-line options of the scoring benchmark.</summary>
internal sealed record BenchmarkOptions(int WarmupRounds, int Rounds, string TweetsPath)
{
    // Tiered compilation promotes the hot methods to optimised code on a background thread.
    // Pinned to one core, that thread only gets the core in time slices, and 5 warm-up rounds
    // left part of the measurement on unoptimised code at about a quarter of the speed.
    public const int DefaultWarmupRounds = 100;
    public const int DefaultRounds = 200;

    public const string Usage = """
        Usage: Vader.Benchmarks [--rounds COUNT] [--warmup-rounds COUNT] [--tweets PATH]
               Vader.Benchmarks --help

          --rounds COUNT         measured passes over all tweets (default 200)
          --warmup-rounds COUNT  unmeasured passes first, so the JIT reaches optimised code (default 100)
          --tweets PATH          ground-truth file: id TAB rating TAB text per line
                                 (default data/tweets_GroundTruth.txt beside the program)
        """;

    /// <summary>Parses <paramref name="args"/>, or returns null with <paramref name="error"/> set.</summary>
    public static BenchmarkOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchmarkOptions(
            DefaultWarmupRounds,
            DefaultRounds,
            Path.Combine(AppContext.BaseDirectory, "data", "tweets_GroundTruth.txt"));

        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--rounds" or "--warmup-rounds" or "--tweets"))
            {
                error = $"Unknown option '{name}'.";
                return null;
            }

            if (i + 1 == args.Length)
            {
                error = $"Option '{name}' is missing its value.";
                return null;
            }

            var value = args[++i];
            if (name == "--tweets")
            {
                options = options with { TweetsPath = value };
                continue;
            }

            var minimum = name == "--rounds" ? 1 : 0;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < minimum)
            {
                error = $"Invalid count '{value}' for {name}: expected a whole number of at least {minimum}.";
                return null;
            }

            options = name == "--rounds" ? options with { Rounds = count } : options with { WarmupRounds = count };
        }

        error = null;
        return options;
    }
}
