namespace Pipeline.Vader;

/// <summary>
/// Three-class sentiment of a text, derived from its compound score.
/// </summary>
public enum SentimentLabel
{
    /// <summary>Compound score at or below -0.05.</summary>
    Negative,

    /// <summary>Compound score strictly between -0.05 and 0.05.</summary>
    Neutral,

    /// <summary>Compound score at or above 0.05.</summary>
    Positive,
}
