using Pipeline.Vader;
using Xunit;

namespace Vader.Tests;

/// <summary>
/// One heuristic per test on short sentences. Each case gives the valence sum derived by hand
/// from the VADER rules and the compound score the reference implementation (vaderSentiment at
/// commit 44fc044cd877) returns for the text. The test checks that the sum normalises to that
/// compound, so the derivation is right, and that the scorer returns it.
/// </summary>
/// <remarks>
/// Lexicon valences used below: good 1.9, bad -2.5, funny 1.9, love 3.2, amusing 1.6,
/// excellent 2.7, doubt -1.5, no -1.2, hope 1.9, happy 2.7, sad -2.1, lol 1.8, ok 1.2,
/// sure 1.3, smiling 2.0, ":)" 2.0, ":d" 2.3, yeah 1.2. Constants: booster ±0.293, capitals
/// 0.733, negation ×-0.74, "!" 0.292 each (at most 4), "??" and "???" 0.18 each, more 0.96.
/// </remarks>
public sealed class VaderScorerTests
{
    private static readonly VaderScorer Scorer = VaderScorer.Default;

    [Theory]
    [InlineData("The book was good", 1.9, 0.4404)]
    [InlineData("good", 1.9, 0.4404)]
    [InlineData("The book was bad", -2.5, -0.5423)]
    public void Score_LexiconWord_NormalizesValence(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was good!", 1.9 + 0.292, 0.4926)]
    [InlineData("The book was good!!!!", 1.9 + (4 * 0.292), 0.6209)]
    [InlineData("The book was good!!!!!!!", 1.9 + (4 * 0.292), 0.6209)]
    public void Score_ExclamationMarks_AddUpToFour(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was good?", 1.9, 0.4404)]
    [InlineData("The book was good??", 1.9 + (2 * 0.18), 0.504)]
    [InlineData("The book was good???", 1.9 + (3 * 0.18), 0.533)]
    [InlineData("The book was good????", 1.9 + 0.96, 0.594)]
    public void Score_QuestionMarks_AddFromTwo(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was GOOD", 1.9 + 0.733, 0.5622)]
    [InlineData("THE BOOK WAS GOOD", 1.9, 0.4404)]
    [InlineData("GOOD", 1.9, 0.4404)]
    public void Score_Capitals_EmphasiseOnlyInMixedCase(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was very good", 1.9 + 0.293, 0.4927)]
    [InlineData("The book was VERY good", 1.9 + 0.293 + 0.733, 0.6028)]
    [InlineData("The book was very much good", 1.9 + (0.293 * 0.95), 0.4902)]
    [InlineData("The book was very, really, good", 1.9 + 0.293 + (0.293 * 0.95), 0.5379)]
    [InlineData("The book was slightly good", 1.9 - 0.293, 0.3832)]
    [InlineData("The book was very bad", -2.5 - 0.293, -0.5849)]
    public void Score_DegreeModifiers_DecayWithDistance(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was not good", 1.9 * -0.74, -0.3412)]
    [InlineData("The book isn't good", 1.9 * -0.74, -0.3412)]
    [InlineData("The book wasnt good", 1.9 * -0.74, -0.3412)]
    [InlineData("The book is never good", 1.9 * -0.74, -0.3412)]
    [InlineData("The book was not very good", (1.9 + 0.293) * -0.74, -0.3865)]
    [InlineData("Not bad at all", -2.5 * -0.74, 0.431)]
    public void Score_Negation_FlipsAndDampens(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was never so good", (1.9 + 0.293) * 1.25 * 1.25, 0.6626)]
    [InlineData("The book was never this good", 1.9 * 1.25 * 1.25, 0.6084)]
    [InlineData("it is this good", 1.9 * 1.25, 0.5228)] // "this" just before the word intensifies alone.
    public void Score_NeverSoOrThis_Intensifies(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("Without doubt excellent", (-1.5 * -0.74) + 2.7, 0.7013)]
    [InlineData("Without a doubt, an excellent idea", (-1.5 * -0.74) + 2.7, 0.7013)]
    public void Score_WithoutDoubt_KeepsFollowingWord(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("no good", 1.9 * -0.74, -0.3412)]
    [InlineData("no", -1.2, -0.296)]
    [InlineData("It was NO good at all", -0.733 + (1.9 * -0.74), -0.4835)] // "NO" is zeroed, then pushed down by capitals.
    [InlineData("No love or hope", (3.2 * -0.74) + (1.9 * -0.74), -0.6979)]
    public void Score_NoBeforeLexiconWord_Negates(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("It was the least funny movie", 1.9 * -0.74, -0.3412)]
    [InlineData("least funny", 1.9 * -0.74, -0.3412)]
    [InlineData("At least it was funny", 1.9, 0.4404)]
    [InlineData("At the very least funny", 1.9 + (0.293 * 0.95), 0.4902)]
    public void Score_Least_NegatesUnlessAtOrVery(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The food was good, but the service was bad", (1.9 * 0.5) + (-2.5 * 1.5), -0.5859)]
    [InlineData("The food was bad but good", (-2.5 * 0.5) + (1.9 * 1.5), 0.3818)]
    public void Score_ContrastiveBut_WeightsLaterClause(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    /// <summary>
    /// The reference rule finds each value's position by equality while updating the list, so
    /// "amusing" (1.6) after "but" matches the halved "love" (3.2 × 0.5) and halves it again,
    /// and "amusing" itself stays unscaled.
    /// </summary>
    [Fact]
    public void Score_ButWithEqualValues_ReproducesReferenceQuirk() =>
        AssertCompound("I love it but amusing", (3.2 * 0.5 * 0.5) + 1.6, 0.5267);

    [Theory]
    [InlineData("The book was kind of good", 1.9 - 0.293, 0.3832)]
    [InlineData("The book was sort of good", 1.9 - 0.293, 0.3832)]
    [InlineData("It is just enough good", 1.9 - 0.293, 0.3832)]
    public void Score_DampenerPhrases_ReduceValence(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("This movie is the shit", 3, 0.6124)]
    [InlineData("This movie is the bomb", 3, 0.6124)]
    [InlineData("I had to say yeah right", -2, -0.4588)]
    [InlineData("He was a bad ass", 1.5 + 1.5, 0.6124)]
    public void Score_Idioms_ReplaceValence(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("Make sure you :) today", 1.3 + 2.0, 0.6486)]
    [InlineData("Make sure you :D today", 1.3 + 2.3 + 0.733, 0.7456)] // ":D" is upper case, as Python's isupper() returns.
    [InlineData(":(", -1.9, -0.4404)]
    [InlineData("LOL I am so happy", 1.8 + 0.733 + ((2.7 + 0.293) * 1.25), 0.8509)]
    public void Score_EmoticonsAndSlang_UseLexicon(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("I love 😁", 3.2 + 2.0, 0.802)] // "beaming face with smiling eyes"
    [InlineData("I❤you", 0, 0.0)] // Becomes "I red heartyou": nothing follows a description.
    public void Score_Emoji_ReplacedByDescription(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("ok", 1.2, 0.296)]
    [InlineData("ok!", 0, 0.0)] // Stripping would leave two characters, so "ok!" stays whole and misses the lexicon.
    [InlineData("\"good\"", 1.9, 0.4404)]
    [InlineData("(good)", 1.9, 0.4404)]
    [InlineData("  good  ", 1.9, 0.4404)]
    [InlineData("good\u001cgood", 1.9 + 1.9, 0.7003)] // U+001C separates words for Python's split().
    public void Score_Tokenizer_MatchesReferenceSplitting(string text, double valenceSum, double expectedCompound) =>
        AssertCompound(text, valenceSum, expectedCompound);

    [Theory]
    [InlineData("The book was good", 0.0, 0.508, 0.492, 0.4404)]
    [InlineData("The book was good!", 0.0, 0.484, 0.516, 0.4926)]
    [InlineData("The food was good, but the service was bad", 0.347, 0.511, 0.142, -0.5859)]
    [InlineData("no", 1.0, 0.0, 0.0, -0.296)]
    [InlineData("VADER is not smart, handsome, nor funny.", 0.646, 0.354, 0.0, -0.7424)]
    [InlineData("Today only kinda sux! But I'll get by, lol", 0.127, 0.556, 0.317, 0.5249)]
    public void Score_Proportions_MatchReference(string text, double negative, double neutral, double positive, double compound)
    {
        var scores = Scorer.Score(text);

        Assert.Equal(negative, scores.Negative);
        Assert.Equal(neutral, scores.Neutral);
        Assert.Equal(positive, scores.Positive);
        Assert.Equal(compound, scores.Compound);
    }

    /// <summary>
    /// "The book was good!": three neutral tokens weigh 1 each and "good" weighs 1.9 + 1, and
    /// the exclamation mark adds 0.292 to the dominant positive side.
    /// </summary>
    [Fact]
    public void Score_Proportions_FollowWeights()
    {
        const double positiveWeight = 1.9 + 1 + 0.292;
        const double total = positiveWeight + 3;

        var scores = Scorer.Score("The book was good!");

        Assert.Equal(Math.Round(positiveWeight / total, 3), scores.Positive);
        Assert.Equal(Math.Round(3 / total, 3), scores.Neutral);
        Assert.Equal(0.0, scores.Negative);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n\u00a0\u3000")]
    public void Score_TextWithoutTokens_ReturnsEmpty(string text) =>
        Assert.Equal(SentimentScores.Empty, Scorer.Score(text));

    [Fact]
    public void Score_NeutralWordsOnly_AreFullyNeutral()
    {
        var scores = Scorer.Score("The book is on the table");

        Assert.Equal(new SentimentScores(0.0, 1.0, 0.0, 0.0), scores);
    }

    [Fact]
    public void Score_Null_Throws() =>
        Assert.Throws<ArgumentNullException>(() => Scorer.Score(null!));

    [Fact]
    public void Default_ReturnsSameInstance() =>
        Assert.Same(VaderScorer.Default, VaderScorer.Default);

    [Theory]
    [InlineData(0.05, SentimentLabel.Positive)]
    [InlineData(0.9, SentimentLabel.Positive)]
    [InlineData(0.0499, SentimentLabel.Neutral)]
    [InlineData(0.0, SentimentLabel.Neutral)]
    [InlineData(-0.0499, SentimentLabel.Neutral)]
    [InlineData(-0.05, SentimentLabel.Negative)]
    [InlineData(-0.9, SentimentLabel.Negative)]
    public void Label_UsesThresholdsOfFiveHundredths(double compound, SentimentLabel expected) =>
        Assert.Equal(expected, new SentimentScores(0, 0, 0, compound).Label);

    [Theory]
    [InlineData("The book was good", SentimentLabel.Positive)]
    [InlineData("The book was bad", SentimentLabel.Negative)]
    [InlineData("The book is on the table", SentimentLabel.Neutral)]
    public void Score_Label_FollowsCompound(string text, SentimentLabel expected) =>
        Assert.Equal(expected, Scorer.Score(text).Label);

    private static void AssertCompound(string text, double valenceSum, double expectedCompound)
    {
        var derived = Math.Round(valenceSum / Math.Sqrt((valenceSum * valenceSum) + 15), 4);
        Assert.Equal(expectedCompound, derived);

        Assert.Equal(expectedCompound, Scorer.Score(text).Compound);
    }
}
