namespace Pipeline.Vader;

/// <summary>
/// Computes the valence of each token from the lexicon and the VADER heuristics: degree
/// modifiers, negation, capitals, idioms, "least" and the contrastive "but". The order of the
/// steps and their quirks follow the reference implementation, because reordering changes scores.
/// </summary>
internal static class ValenceHeuristics
{
    /// <summary>
    /// Writes one valence per token to <paramref name="valences"/>, including the "but" rule.
    /// Tokens outside the lexicon, boosters and the "kind" of "kind of" get 0.
    /// </summary>
    public static void ComputeValences(ReadOnlySpan<Token> tokens, WordTable words, Span<double> valences)
    {
        var isCapDifferential = HasCapitalDifferential(tokens);
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Word.IsBooster)
            {
                valences[i] = 0;
            }
            else if (i < tokens.Length - 1 && token.Is(FunctionWord.Kind) && tokens[i + 1].Is(FunctionWord.Of))
            {
                valences[i] = 0;
            }
            else if (token.IsInLexicon)
            {
                valences[i] = ComputeLexiconWordValence(tokens, i, words, isCapDifferential);
            }
            else
            {
                valences[i] = 0;
            }
        }

        ApplyContrastiveBut(tokens, valences);
    }

    /// <summary>
    /// Returns whether some but not all tokens are upper case. Only then do capitals add emphasis,
    /// because a text in capitals throughout is not shouting any one word.
    /// </summary>
    private static bool HasCapitalDifferential(ReadOnlySpan<Token> tokens)
    {
        var upperCount = 0;
        foreach (var token in tokens)
        {
            if (token.IsUpper)
            {
                upperCount++;
            }
        }

        var otherCount = tokens.Length - upperCount;
        return otherCount > 0 && otherCount < tokens.Length;
    }

    private static double ComputeLexiconWordValence(ReadOnlySpan<Token> tokens, int i, WordTable words, bool isCapDifferential)
    {
        var token = tokens[i];
        var valence = token.Word.Valence;

        // "no" before another lexicon word negates that word and carries no valence itself.
        if (token.Is(FunctionWord.No) && i != tokens.Length - 1 && tokens[i + 1].IsInLexicon)
        {
            valence = 0.0;
        }

        // A "no" one or two tokens back, or three back with "or"/"nor" just before, negates the
        // word. This starts again from the lexicon valence, so "no no good" is negated once.
        if ((i > 0 && tokens[i - 1].Is(FunctionWord.No))
            || (i > 1 && tokens[i - 2].Is(FunctionWord.No))
            || (i > 2 && tokens[i - 3].Is(FunctionWord.No) && tokens[i - 1].Is(FunctionWord.Or | FunctionWord.Nor)))
        {
            valence = token.Word.Valence * VaderRules.NegationScalar;
        }

        // A word in capitals among lowercase ones gains intensity. A valence of exactly 0 (the
        // "no" above) is pushed negative, as in the reference.
        if (token.IsUpper && isCapDifferential)
        {
            valence = valence > 0 ? valence + VaderRules.AllCapsIncrement : valence - VaderRules.AllCapsIncrement;
        }

        // Look back up to three tokens for boosters and negations. A lexicon word at one
        // distance is skipped, and the tokens beyond it are still tested.
        for (var distance = 1; distance <= 3; distance++)
        {
            if (i < distance || tokens[i - distance].IsInLexicon)
            {
                continue;
            }

            var scalar = ComputeBoosterScalar(tokens[i - distance], valence, isCapDifferential);
            if (distance == 2 && scalar != 0)
            {
                scalar *= VaderRules.SecondWordBoosterDecay;
            }
            else if (distance == 3 && scalar != 0)
            {
                scalar *= VaderRules.ThirdWordBoosterDecay;
            }

            valence += scalar;
            valence = ApplyNegation(tokens, i, distance, valence);
            if (distance == 3)
            {
                valence = ApplyIdioms(tokens, i, words, valence);
            }
        }

        return ApplyLeast(tokens, i, valence);
    }

    /// <summary>
    /// Returns the change a booster or dampener adds to a word of <paramref name="valence"/>:
    /// its scalar, sign-flipped for negative words, plus the capitals increment when the
    /// modifier alone is in capitals. For a valence of 0 the capitals increment is subtracted.
    /// </summary>
    private static double ComputeBoosterScalar(Token modifier, double valence, bool isCapDifferential)
    {
        if (!modifier.Word.IsBooster)
        {
            return 0.0;
        }

        var scalar = modifier.Word.BoosterScalar;
        if (valence < 0)
        {
            scalar *= -1;
        }

        if (modifier.IsUpper && isCapDifferential)
        {
            scalar = valence > 0 ? scalar + VaderRules.AllCapsIncrement : scalar - VaderRules.AllCapsIncrement;
        }

        return scalar;
    }

    /// <summary>
    /// Applies the negation test for the token <paramref name="distance"/> places back.
    /// "never so/this" intensifies, "without doubt" leaves the valence alone, and any other
    /// negation word or "n't" multiplies it by <see cref="VaderRules.NegationScalar"/>.
    /// </summary>
    private static double ApplyNegation(ReadOnlySpan<Token> tokens, int i, int distance, double valence)
    {
        const FunctionWord soOrThis = FunctionWord.So | FunctionWord.This;
        switch (distance)
        {
            case 1:
                return tokens[i - 1].IsNegated ? valence * VaderRules.NegationScalar : valence;

            case 2:
                if (tokens[i - 2].Is(FunctionWord.Never) && tokens[i - 1].Is(soOrThis))
                {
                    return valence * VaderRules.NeverSoIntensifier;
                }

                if (tokens[i - 2].Is(FunctionWord.Without) && tokens[i - 1].Is(FunctionWord.Doubt))
                {
                    return valence;
                }

                return tokens[i - 2].IsNegated ? valence * VaderRules.NegationScalar : valence;

            default:
                // The reference groups this test as (never and so/this two back) or (so/this one
                // back), so "so" or "this" just before the word intensifies on its own.
                if ((tokens[i - 3].Is(FunctionWord.Never) && tokens[i - 2].Is(soOrThis)) || tokens[i - 1].Is(soOrThis))
                {
                    return valence * VaderRules.NeverSoIntensifier;
                }

                if (tokens[i - 3].Is(FunctionWord.Without)
                    && (tokens[i - 2].Is(FunctionWord.Doubt) || tokens[i - 1].Is(FunctionWord.Doubt)))
                {
                    return valence;
                }

                return tokens[i - 3].IsNegated ? valence * VaderRules.NegationScalar : valence;
        }
    }

    /// <summary>
    /// Replaces the valence by that of an idiom around the word ("the shit", "kiss of death") and
    /// adds the scalar of a dampener phrase before it ("kind of"). Called only with three tokens
    /// before the word, the third of them outside the lexicon, as in the reference.
    /// </summary>
    private static double ApplyIdioms(ReadOnlySpan<Token> tokens, int i, WordTable words, double valence)
    {
        // Idioms ending at or just before the word, in the reference's order of precedence.
        ReadOnlySpan<(int Start, int Length)> backward = [(i - 1, 2), (i - 2, 3), (i - 2, 2), (i - 3, 3), (i - 3, 2)];
        foreach (var (start, length) in backward)
        {
            if (TryMatch(words.SpecialCases, tokens, start, length, out var idiomValence))
            {
                valence = idiomValence;
                break;
            }
        }

        // Idioms starting at the word override those before it.
        if (tokens.Length - 1 > i && TryMatch(words.SpecialCases, tokens, i, 2, out var forwardValence))
        {
            valence = forwardValence;
        }

        if (tokens.Length - 1 > i + 1 && TryMatch(words.SpecialCases, tokens, i, 3, out forwardValence))
        {
            valence = forwardValence;
        }

        ReadOnlySpan<(int Start, int Length)> modifiers = [(i - 3, 3), (i - 3, 2), (i - 2, 2)];
        foreach (var (start, length) in modifiers)
        {
            if (TryMatch(words.BoosterPhrases, tokens, start, length, out var scalar))
            {
                valence += scalar;
            }
        }

        return valence;
    }

    private static bool TryMatch(Phrase[] phrases, ReadOnlySpan<Token> tokens, int start, int length, out double value)
    {
        foreach (var phrase in phrases)
        {
            if (phrase.Words.Length == length && IsSequence(phrase.Words, tokens, start))
            {
                value = phrase.Value;
                return true;
            }
        }

        value = 0;
        return false;
    }

    private static bool IsSequence(WordEntry[] phraseWords, ReadOnlySpan<Token> tokens, int start)
    {
        for (var k = 0; k < phraseWords.Length; k++)
        {
            if (!ReferenceEquals(tokens[start + k].Word, phraseWords[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Negates a word right after "least" ("the least funny"), except in "at least" and "very least".
    /// </summary>
    private static double ApplyLeast(ReadOnlySpan<Token> tokens, int i, double valence)
    {
        if (i == 0 || tokens[i - 1].IsInLexicon || !tokens[i - 1].Is(FunctionWord.Least))
        {
            return valence;
        }

        if (i > 1 && tokens[i - 2].Is(FunctionWord.At | FunctionWord.Very))
        {
            return valence;
        }

        return valence * VaderRules.NegationScalar;
    }

    /// <summary>
    /// Halves the valences before the first "but" and raises those after it by half, since the
    /// clause after a contrastive conjunction dominates.
    /// </summary>
    /// <remarks>
    /// The reference updates the list while it iterates and finds each value's position by
    /// equality, so a value equal to an earlier one updates that earlier position instead, and
    /// a value can be scaled twice or not at all. This loop reproduces that exactly. It is
    /// quadratic in the token count, which is negligible for tweets.
    /// </remarks>
    private static void ApplyContrastiveBut(ReadOnlySpan<Token> tokens, Span<double> valences)
    {
        var butIndex = -1;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].Is(FunctionWord.But))
            {
                butIndex = i;
                break;
            }
        }

        if (butIndex < 0)
        {
            return;
        }

        for (var k = 0; k < valences.Length; k++)
        {
            var value = valences[k];
            var position = IndexOfEqual(valences, value);
            if (position < butIndex)
            {
                valences[position] = value * VaderRules.BeforeButScalar;
            }
            else if (position > butIndex)
            {
                valences[position] = value * VaderRules.AfterButScalar;
            }
        }
    }

    // Compares with ==, so 0.0 and -0.0 are equal as in Python.
    private static int IndexOfEqual(ReadOnlySpan<double> values, double value)
    {
        for (var j = 0; j < values.Length; j++)
        {
            if (values[j] == value)
            {
                return j;
            }
        }

        return -1;
    }
}
