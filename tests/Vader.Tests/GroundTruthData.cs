using System.Globalization;
using Pipeline.Vader;

namespace Vader.Tests;

/// <summary>One tweet of the ground-truth file with the mean rating of its 20 human raters (-4 to 4).</summary>
public sealed record RatedTweet(string Id, double HumanMean, string Text);

/// <summary>
/// Loads the 4,200 tweets of the VADER paper (Hutto and Gilbert, ICWSM 2014) and the reference implementation's scores for them
/// from the data folder copied beside the test assembly.
/// </summary>
public static class GroundTruthData
{
    private static readonly Lazy<IReadOnlyList<RatedTweet>> LazyTweets = new(LoadTweets);
    private static readonly Lazy<IReadOnlyDictionary<string, SentimentScores>> LazyReferenceScores = new(LoadReferenceScores);

    public static IReadOnlyList<RatedTweet> Tweets => LazyTweets.Value;

    public static IReadOnlyDictionary<string, SentimentScores> ReferenceScores => LazyReferenceScores.Value;

    private static string DataPath(string fileName) => Path.Combine(AppContext.BaseDirectory, "data", fileName);

    private static List<RatedTweet> LoadTweets()
    {
        // Lines end in CRLF, and the text is everything after the second tab.
        var tweets = new List<RatedTweet>();
        foreach (var line in File.ReadAllLines(DataPath("tweets_GroundTruth.txt")))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t', 3);
            tweets.Add(new RatedTweet(fields[0], ParseDouble(fields[1]), fields[2]));
        }

        return tweets;
    }

    private static Dictionary<string, SentimentScores> LoadReferenceScores()
    {
        var scores = new Dictionary<string, SentimentScores>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(DataPath("tweets_reference_scores.tsv")).Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t');
            scores.Add(fields[0], new SentimentScores(
                Negative: ParseDouble(fields[1]),
                Neutral: ParseDouble(fields[2]),
                Positive: ParseDouble(fields[3]),
                Compound: ParseDouble(fields[4])));
        }

        return scores;
    }

    private static double ParseDouble(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
