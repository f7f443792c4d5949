using Pipeline.Vader;

namespace Pipeline.PostgresWriter.Sentiment;

/// <summary>
/// The VADER scorer of stored tweets. A tweet is scored on its full text, and a retweet on the
/// full text of its original when that is known, because a retweet's own text is the cut
/// "RT @user: ..." form.
/// </summary>
internal sealed class TweetSentimentScorer(VaderScorer scorer)
{
    /// <summary>The <c>scored_text_source</c> of a tweet scored on its own full text.</summary>
    public const string FullTextSource = "full_text";

    /// <summary>The <c>scored_text_source</c> of a retweet scored on its original's full text.</summary>
    public const string RetweetedOriginalSource = "retweeted_original";

    /// <summary>The version of the lexicon behind every score this instance computes.</summary>
    public string LexiconVersion => scorer.LexiconVersion;

    /// <summary>Scores a tweet as the writer stores it.</summary>
    public TweetSentiment Score(TweetObservation tweet) =>
        Score(tweet.Tweet.Id, tweet.Tweet.FullText, tweet.RetweetedOriginalText);

    /// <summary>
    /// Scores <paramref name="retweetedOriginalText"/> when it is set, otherwise
    /// <paramref name="fullText"/>.
    /// </summary>
    public TweetSentiment Score(long tweetId, string fullText, string? retweetedOriginalText) =>
        retweetedOriginalText is null
            ? new TweetSentiment(tweetId, scorer.Score(fullText), FullTextSource)
            : new TweetSentiment(tweetId, scorer.Score(retweetedOriginalText), RetweetedOriginalSource);

    /// <summary>Returns the <c>label</c> column's value for <paramref name="label"/>.</summary>
    public static string LabelValue(SentimentLabel label) => label switch
    {
        SentimentLabel.Positive => "positive",
        SentimentLabel.Neutral => "neutral",
        SentimentLabel.Negative => "negative",
        _ => throw new ArgumentOutOfRangeException(nameof(label), label, "Unknown sentiment label."),
    };
}

/// <summary>The VADER scores of one tweet and which text produced them.</summary>
/// <param name="ScoredTextSource"><see cref="TweetSentimentScorer.FullTextSource"/> or <see cref="TweetSentimentScorer.RetweetedOriginalSource"/>.</param>
internal sealed record TweetSentiment(long TweetId, SentimentScores Scores, string ScoredTextSource);
