namespace Pipeline.Vader;

/// <summary>
/// VADER scores of one text, rounded as the reference implementation rounds them.
/// </summary>
/// <param name="Negative">Share of the text's sentiment weight that is negative, 0 to 1, rounded to 3 decimals.</param>
/// <param name="Neutral">Share of the text's sentiment weight that is neutral, 0 to 1, rounded to 3 decimals.</param>
/// <param name="Positive">Share of the text's sentiment weight that is positive, 0 to 1, rounded to 3 decimals.</param>
/// <param name="Compound">Normalised sum of all valences, -1 (most negative) to 1 (most positive), rounded to 4 decimals.</param>
public readonly record struct SentimentScores(double Negative, double Neutral, double Positive, double Compound)
{
    /// <summary>Lowest compound score labelled <see cref="SentimentLabel.Positive"/>.</summary>
    public const double PositiveThreshold = 0.05;

    /// <summary>Highest compound score labelled <see cref="SentimentLabel.Negative"/>.</summary>
    public const double NegativeThreshold = -0.05;

    /// <summary>Scores of a text that contains no tokens.</summary>
    public static SentimentScores Empty { get; }

    /// <summary>
    /// Label from the compound score with the thresholds the VADER authors recommend (±0.05).
    /// </summary>
    public SentimentLabel Label => Compound switch
    {
        >= PositiveThreshold => SentimentLabel.Positive,
        <= NegativeThreshold => SentimentLabel.Negative,
        _ => SentimentLabel.Neutral,
    };
}
