using System.Collections.Frozen;

namespace Pipeline.Vader;

/// <summary>
/// Words with a fixed role in the heuristics, matched against the lowercase token.
/// </summary>
[Flags]
internal enum FunctionWord
{
    None = 0,
    No = 1 << 0,
    Or = 1 << 1,
    Nor = 1 << 2,
    But = 1 << 3,
    Least = 1 << 4,
    At = 1 << 5,
    Very = 1 << 6,
    Never = 1 << 7,
    So = 1 << 8,
    This = 1 << 9,
    Without = 1 << 10,
    Doubt = 1 << 11,
    Kind = 1 << 12,
    Of = 1 << 13,
}

/// <summary>
/// Role of one lowercase word in the lexicon and the heuristics, so one lookup serves every rule.
/// Tokens that are not in the table share <see cref="Unknown"/>, and equal words share one
/// instance, so reference equality compares words.
/// </summary>
internal sealed class WordEntry
{
    public static readonly WordEntry Unknown = new();

    public bool IsInLexicon { get; init; }

    public double Valence { get; init; }

    public bool IsBooster { get; init; }

    public double BoosterScalar { get; init; }

    public bool IsNegation { get; init; }

    public FunctionWord Function { get; init; }

    public bool Is(FunctionWord words) => (Function & words) != 0;
}

/// <summary>
/// Multi-word phrase as a sequence of word entries, with the valence or scalar it stands for.
/// </summary>
internal sealed record Phrase(WordEntry[] Words, double Value);

/// <summary>
/// Lookup from lowercase token to <see cref="WordEntry"/>, built once from a lexicon and the
/// word lists of <see cref="VaderRules"/>, plus the idioms and booster phrases as entry sequences.
/// Immutable after construction, so concurrent readers need no locks.
/// </summary>
internal sealed class WordTable
{
    private static readonly (string Word, FunctionWord Function)[] FunctionWords =
    [
        ("no", FunctionWord.No), ("or", FunctionWord.Or), ("nor", FunctionWord.Nor),
        ("but", FunctionWord.But), ("least", FunctionWord.Least), ("at", FunctionWord.At),
        ("very", FunctionWord.Very), ("never", FunctionWord.Never), ("so", FunctionWord.So),
        ("this", FunctionWord.This), ("without", FunctionWord.Without), ("doubt", FunctionWord.Doubt),
        ("kind", FunctionWord.Kind), ("of", FunctionWord.Of),
    ];

    private readonly FrozenDictionary<string, WordEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public WordTable(VaderLexicon lexicon)
    {
        var builders = new Dictionary<string, EntryBuilder>(StringComparer.Ordinal);
        EntryBuilder Get(string word) => builders.TryGetValue(word, out var builder)
            ? builder
            : builders[word] = new EntryBuilder();

        foreach (var (token, valence) in lexicon.ValenceByToken)
        {
            var builder = Get(token);
            builder.IsInLexicon = true;
            builder.Valence = valence;
        }

        foreach (var (word, scalar) in VaderRules.Boosters)
        {
            if (!word.Contains(' ', StringComparison.Ordinal))
            {
                var builder = Get(word);
                builder.IsBooster = true;
                builder.BoosterScalar = scalar;
            }
        }

        foreach (var word in VaderRules.NegationWords)
        {
            Get(word).IsNegation = true;
        }

        foreach (var (word, function) in FunctionWords)
        {
            Get(word).Function |= function;
        }

        // Phrase words need entries of their own so that phrases compare entry references.
        var phraseKeys = VaderRules.SpecialCases.Keys
            .Concat(VaderRules.Boosters.Keys)
            .Where(key => key.Contains(' ', StringComparison.Ordinal));
        foreach (var word in phraseKeys.SelectMany(key => key.Split(' ')))
        {
            Get(word);
        }

        var entries = builders.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Build(), StringComparer.Ordinal);
        _lookup = entries.GetAlternateLookup<ReadOnlySpan<char>>();

        SpecialCases = ToPhrases(VaderRules.SpecialCases, entries);
        BoosterPhrases = ToPhrases(VaderRules.Boosters, entries);
    }

    /// <summary>Idioms of two or three words whose valence replaces the scored word's.</summary>
    public Phrase[] SpecialCases { get; }

    /// <summary>Dampener phrases such as "kind of", with their scalar.</summary>
    public Phrase[] BoosterPhrases { get; }

    /// <summary>Returns the entry of a lowercase token, or <see cref="WordEntry.Unknown"/>.</summary>
    public WordEntry Find(ReadOnlySpan<char> lowercaseToken) =>
        _lookup.TryGetValue(lowercaseToken, out var entry) ? entry : WordEntry.Unknown;

    // A key without a space, such as "badass", can never equal words joined by spaces, so it
    // is left out here just as it never matches in the reference implementation.
    private static Phrase[] ToPhrases(FrozenDictionary<string, double> values, FrozenDictionary<string, WordEntry> entries) =>
        values
            .Where(pair => pair.Key.Contains(' ', StringComparison.Ordinal))
            .Select(pair => new Phrase([.. pair.Key.Split(' ').Select(word => entries[word])], pair.Value))
            .ToArray();

    private sealed class EntryBuilder
    {
        public bool IsInLexicon { get; set; }

        public double Valence { get; set; }

        public bool IsBooster { get; set; }

        public double BoosterScalar { get; set; }

        public bool IsNegation { get; set; }

        public FunctionWord Function { get; set; }

        public WordEntry Build() => new()
        {
            IsInLexicon = IsInLexicon,
            Valence = Valence,
            IsBooster = IsBooster,
            BoosterScalar = BoosterScalar,
            IsNegation = IsNegation,
            Function = Function,
        };
    }
}
