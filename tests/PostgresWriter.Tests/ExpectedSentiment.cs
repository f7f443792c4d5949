using System.Globalization;
using System.Text.Json;
using Pipeline.Core.Tweets;
using Pipeline.Vader;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>
/// The text the writer should score for each tweet that envelopes deliver, read from the raw JSON
/// rather than from the writer's model. That is a tweet's full text, or the original's full text
/// for a retweet whose envelope includes the original.
/// </summary>
internal static class ExpectedSentiment
{
    /// <summary>Returns the expected scored text and <c>scored_text_source</c> by tweet id.</summary>
    public static Dictionary<long, (string Text, string Source)> ScoredTexts(IEnumerable<TweetEnvelope> envelopes)
    {
        var list = envelopes.ToList();
        var expected = new Dictionary<long, (string Text, string Source)>();
        foreach (var reference in list.SelectMany(e => e.ReferencedTweets).Where(r => r.Tweet is not null))
        {
            expected[Id(reference.Id)] = (FullText(reference.Tweet!.Value), "full_text");
        }

        // A tweet's own message wins over a copy that another tweet referenced.
        foreach (var envelope in list)
        {
            var original = envelope.ReferencedTweets.FirstOrDefault(r => r.Type == "retweeted" && r.Tweet is not null);
            expected[Id(envelope.Id)] = original is null
                ? (FullText(envelope.Tweet), "full_text")
                : (FullText(original.Tweet!.Value), "retweeted_original");
        }

        return expected;
    }

    /// <summary>Returns what the reference scorer gives for <paramref name="text"/>.</summary>
    public static SentimentScores Score(string text) => VaderScorer.Default.Score(text);

    /// <summary>Returns <c>note_tweet.text</c> for a long post, otherwise <c>text</c>.</summary>
    public static string FullText(JsonElement tweet) =>
        tweet.TryGetProperty("note_tweet", out var note)
            ? note.GetProperty("text").GetString()!
            : tweet.GetProperty("text").GetString()!;

    /// <summary>Returns the label column's value for <paramref name="scores"/>.</summary>
    public static string Label(SentimentScores scores) => scores.Label switch
    {
        SentimentLabel.Positive => "positive",
        SentimentLabel.Negative => "negative",
        _ => "neutral",
    };

    private static long Id(string id) => long.Parse(id, CultureInfo.InvariantCulture);
}
