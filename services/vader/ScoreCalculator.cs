namespace Pipeline.Vader;

/// <summary>
/// Turns token valences into the compound score and the negative, neutral and positive shares,
/// with the emphasis of exclamation and question marks.
/// </summary>
internal static class ScoreCalculator
{
    private const int CompoundDecimals = 4;
    private const int ShareDecimals = 3;

    /// <summary>
    /// Returns the rounded scores of one text. <paramref name="text"/> is the prepared text, in
    /// which the marks are counted.
    /// </summary>
    public static SentimentScores Calculate(ReadOnlySpan<double> valences, ReadOnlySpan<char> text)
    {
        if (valences.IsEmpty)
        {
            return SentimentScores.Empty;
        }

        var sum = 0.0;
        foreach (var valence in valences)
        {
            sum += valence;
        }

        // Marks strengthen whichever polarity the text already has, and never create one.
        var emphasis = ComputePunctuationEmphasis(text);
        if (sum > 0)
        {
            sum += emphasis;
        }
        else if (sum < 0)
        {
            sum -= emphasis;
        }

        var compound = Normalize(sum);

        // A neutral token weighs 1 and a positive or negative one 1 plus its magnitude.
        var positiveSum = 0.0;
        var negativeSum = 0.0;
        var neutralCount = 0;
        foreach (var valence in valences)
        {
            if (valence > 0)
            {
                positiveSum += valence + 1;
            }

            if (valence < 0)
            {
                negativeSum += valence - 1;
            }

            if (valence == 0)
            {
                neutralCount++;
            }
        }

        if (positiveSum > Math.Abs(negativeSum))
        {
            positiveSum += emphasis;
        }
        else if (positiveSum < Math.Abs(negativeSum))
        {
            negativeSum -= emphasis;
        }

        var total = positiveSum + Math.Abs(negativeSum) + neutralCount;
        return new SentimentScores(
            Negative: PythonRounding.Round(Math.Abs(negativeSum / total), ShareDecimals),
            Neutral: PythonRounding.Round(Math.Abs(neutralCount / total), ShareDecimals),
            Positive: PythonRounding.Round(Math.Abs(positiveSum / total), ShareDecimals),
            Compound: PythonRounding.Round(compound, CompoundDecimals));
    }

    /// <summary>
    /// Returns the valence added by exclamation marks (up to four count) and by two or more
    /// question marks.
    /// </summary>
    private static double ComputePunctuationEmphasis(ReadOnlySpan<char> text)
    {
        var exclamationCount = Math.Min(text.Count('!'), VaderRules.MaxExclamationMarks);
        var exclamationEmphasis = exclamationCount * VaderRules.ExclamationIncrement;

        var questionCount = text.Count('?');
        var questionEmphasis = questionCount switch
        {
            <= 1 => 0.0,
            <= 3 => questionCount * VaderRules.QuestionMarkIncrement,
            _ => VaderRules.ManyQuestionMarksIncrement,
        };

        return exclamationEmphasis + questionEmphasis;
    }

    /// <summary>Maps a valence sum to -1..1 with x / sqrt(x² + alpha).</summary>
    private static double Normalize(double sum)
    {
        var normalized = sum / Math.Sqrt((sum * sum) + VaderRules.NormalizationAlpha);
        return Math.Clamp(normalized, -1.0, 1.0);
    }
}
