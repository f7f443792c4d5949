using System.Collections.Frozen;

namespace Pipeline.Vader;

/// <summary>
/// Constants and word lists of the VADER heuristics. The values are those of the reference
/// implementation, github.com/cjhutto/vaderSentiment at commit 44fc044cd877, whose constants
/// Hutto and Gilbert (ICWSM 2014) derived from human ratings.
/// </summary>
internal static class VaderRules
{
    /// <summary>Valence added by a booster word ("very good").</summary>
    public const double BoosterIncrement = 0.293;

    /// <summary>Valence added by a dampener word ("slightly good").</summary>
    public const double DampenerIncrement = -0.293;

    /// <summary>Valence added to a word written in capitals when the text mixes cases.</summary>
    public const double AllCapsIncrement = 0.733;

    /// <summary>Factor that flips and weakens the valence of a negated word.</summary>
    public const double NegationScalar = -0.74;

    /// <summary>Factor for a booster two words before the scored word.</summary>
    public const double SecondWordBoosterDecay = 0.95;

    /// <summary>Factor for a booster three words before the scored word.</summary>
    public const double ThirdWordBoosterDecay = 0.9;

    /// <summary>Factor for "never so good" and "never this good", which intensify instead of negating.</summary>
    public const double NeverSoIntensifier = 1.25;

    /// <summary>Factor for the valences before the first "but".</summary>
    public const double BeforeButScalar = 0.5;

    /// <summary>Factor for the valences after the first "but".</summary>
    public const double AfterButScalar = 1.5;

    /// <summary>Valence added per exclamation mark.</summary>
    public const double ExclamationIncrement = 0.292;

    /// <summary>Exclamation marks beyond this count add nothing.</summary>
    public const int MaxExclamationMarks = 4;

    /// <summary>Valence added per question mark when the text has two or three of them.</summary>
    public const double QuestionMarkIncrement = 0.18;

    /// <summary>Valence added when the text has more than three question marks.</summary>
    public const double ManyQuestionMarksIncrement = 0.96;

    /// <summary>Alpha of the compound normalisation x / sqrt(x² + alpha), about the largest expected sum.</summary>
    public const double NormalizationAlpha = 15;

    /// <summary>Words that negate the valence of a word up to three tokens after them.</summary>
    public static readonly FrozenSet<string> NegationWords = FrozenSet.Create(
        StringComparer.Ordinal,
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite");

    /// <summary>
    /// Degree adverbs and their scalar: boosters raise and dampeners lower the intensity of the
    /// next sentiment words. Entries with a space only match as phrases in the idiom check.
    /// </summary>
    public static readonly FrozenDictionary<string, double> Boosters = CreateBoosters();

    /// <summary>
    /// Idioms whose valence replaces that of the lexicon word inside them. "badass" has no space,
    /// so, as in the reference implementation, it never matches.
    /// </summary>
    public static readonly FrozenDictionary<string, double> SpecialCases = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["the shit"] = 3,
        ["the bomb"] = 3,
        ["bad ass"] = 1.5,
        ["badass"] = 1.5,
        ["bus stop"] = 0.0,
        ["yeah right"] = -2,
        ["kiss of death"] = -1.5,
        ["to die for"] = 3,
        ["beating heart"] = 3.1,
        ["broken heart"] = -2.9,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static FrozenDictionary<string, double> CreateBoosters()
    {
        string[] boosters =
        [
            "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
            "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
            "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping",
            "flippin", "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully",
            "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
            "incredible", "incredibly", "intensely", "major", "majorly", "more", "most",
            "particularly", "purely", "quite", "really", "remarkably", "so", "substantially",
            "thoroughly", "total", "totally", "tremendous", "tremendously", "uber", "unbelievably",
            "unusually", "utter", "utterly", "very",
        ];
        string[] dampeners =
        [
            "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of",
            "less", "little", "marginal", "marginally", "occasional", "occasionally", "partly",
            "scarce", "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof",
            "sort-of",
        ];

        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var word in boosters)
        {
            scalars.Add(word, BoosterIncrement);
        }

        foreach (var word in dampeners)
        {
            scalars.Add(word, DampenerIncrement);
        }

        return scalars.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
