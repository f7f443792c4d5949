namespace Pipeline.Vader;

/// <summary>
/// One whitespace-separated token of the prepared text, with the facts the heuristics test.
/// </summary>
internal struct Token
{
    /// <summary>Offset of the token in the prepared text and in its lowercase copy.</summary>
    public int Start;

    /// <summary>Length of the token in UTF-16 code units.</summary>
    public int Length;

    /// <summary>Entry of the lowercase token, <see cref="WordEntry.Unknown"/> if the table has none.</summary>
    public WordEntry Word;

    /// <summary>Whether the token is upper case by Python's <c>str.isupper()</c>.</summary>
    public bool IsUpper;

    /// <summary>Whether the token is a negation word or contains "n't".</summary>
    public bool IsNegated;

    public readonly bool IsInLexicon => Word.IsInLexicon;

    public readonly bool Is(FunctionWord words) => Word.Is(words);
}
