using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Pipeline.Vader;
using Vader.Benchmarks;

// Scores the 4,200 ground-truth tweets on this one thread for a fixed number of rounds and
// prints the throughput and the managed allocation per tweet.
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

var options = BenchmarkOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

if (!File.Exists(options.TweetsPath))
{
    Console.Error.WriteLine($"Tweets file not found: '{options.TweetsPath}'. Pass its path with --tweets.");
    return 1;
}

var tweets = File.ReadLines(options.TweetsPath)
    .Where(line => line.Length > 0)
    .Select(line => line.Split('\t', 3)[2])
    .ToArray();

var loadTimer = Stopwatch.StartNew();
var scorer = new VaderScorer(VaderLexicon.LoadEmbedded());
loadTimer.Stop();

var result = ScoringBenchmark.Run(scorer, tweets, options.WarmupRounds, options.Rounds);

var invariant = CultureInfo.InvariantCulture;
Console.WriteLine($"runtime          {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine($"gc               {(GCSettings.IsServerGC ? "server" : "workstation")}, processors visible {Environment.ProcessorCount}");
Console.WriteLine(string.Create(invariant, $"lexicon load     {loadTimer.Elapsed.TotalMilliseconds:F1} ms (parse and index, first call includes JIT)"));
Console.WriteLine($"tweets           {tweets.Length}, warm-up rounds {options.WarmupRounds}, measured rounds {options.Rounds}");
Console.WriteLine(string.Create(invariant, $"elapsed          {result.Elapsed.TotalMilliseconds:F1} ms for {result.ScoredCount} scores"));
Console.WriteLine(string.Create(invariant, $"throughput       {result.TweetsPerSecond:F0} tweets/s (one thread, wall clock)"));
Console.WriteLine(string.Create(invariant, $"processor time   {result.ProcessorTime.TotalMilliseconds:F1} ms, {result.TweetsPerProcessorSecond:F0} tweets per processor second (all threads of the process)"));
Console.WriteLine(string.Create(invariant, $"per round        slowest {result.SlowestRoundTweetsPerSecond:F0}, median {result.MedianRoundTweetsPerSecond:F0}, fastest {result.FastestRoundTweetsPerSecond:F0} tweets/s"));
Console.WriteLine(string.Create(invariant, $"allocated        {result.AllocatedBytesPerTweet:F2} bytes/tweet"));
Console.WriteLine(string.Create(invariant, $"checksum         {result.CompoundChecksum:F4} (sum of compound scores of one round)"));
return 0;
