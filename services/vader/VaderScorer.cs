using System.Buffers;

namespace Pipeline.Vader;

/// <summary>
/// VADER sentiment scorer (Hutto and Gilbert, "VADER: A Parsimonious Rule-based Model for
/// Sentiment Analysis of Social Media Text", ICWSM 2014). It reproduces the scores of the
/// reference implementation, github.com/cjhutto/vaderSentiment at commit 44fc044cd877,
/// including its tokenisation quirks.
/// </summary>
/// <remarks>
/// An instance is immutable after construction and safe for concurrent calls to
/// <see cref="Score"/>. Build it once: construction indexes the whole lexicon.
/// </remarks>
public sealed class VaderScorer
{
    private static readonly Lazy<VaderScorer> DefaultScorer = new(() => new VaderScorer(VaderLexicon.LoadEmbedded()));

    private readonly WordTable _words;
    private readonly EmojiReplacer _emoji;

    /// <summary>Creates a scorer over <paramref name="lexicon"/>.</summary>
    public VaderScorer(VaderLexicon lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        _words = new WordTable(lexicon);
        _emoji = new EmojiReplacer(lexicon);
        LexiconVersion = lexicon.Version;
    }

    /// <summary>
    /// Scorer over the embedded lexicons, loaded on first use and shared by all callers.
    /// </summary>
    public static VaderScorer Default => DefaultScorer.Value;

    /// <summary>
    /// <see cref="VaderLexicon.Version"/> of the lexicon this scorer uses, which identifies the
    /// lexicon behind a stored score.
    /// </summary>
    /// <remarks>
    /// NOTE: It covers the lexicon files only. A change to the scoring rules in this library
    /// changes scores without changing this version.
    /// </remarks>
    public string LexiconVersion { get; }

    /// <summary>
    /// Scores <paramref name="text"/>, typically one sentence or tweet. A text without tokens
    /// gets <see cref="SentimentScores.Empty"/>, with all four scores 0.
    /// </summary>
    public SentimentScores Score(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var withDescriptions = default(PooledCharBuffer);
        char[]? lowercase = null;
        Token[]? tokens = null;
        double[]? valences = null;
        var tokenCount = 0;
        try
        {
            var prepared = _emoji.TryReplace(text, ref withDescriptions) ? withDescriptions.Written : text.AsSpan();
            prepared = PythonText.Trim(prepared);

            lowercase = ArrayPool<char>.Shared.Rent(prepared.Length);
            PythonText.ToLower(prepared, lowercase);

            tokens = ArrayPool<Token>.Shared.Rent(Tokenizer.MaxTokenCount(prepared.Length));
            tokenCount = Tokenizer.Tokenize(prepared, lowercase.AsSpan(0, prepared.Length), _words, tokens);

            valences = ArrayPool<double>.Shared.Rent(tokenCount);
            var tokenValences = valences.AsSpan(0, tokenCount);
            ValenceHeuristics.ComputeValences(tokens.AsSpan(0, tokenCount), _words, tokenValences);

            return ScoreCalculator.Calculate(tokenValences, prepared);
        }
        finally
        {
            withDescriptions.Dispose();
            if (lowercase is not null)
            {
                ArrayPool<char>.Shared.Return(lowercase);
            }

            if (tokens is not null)
            {
                // Cleared so the pool does not keep the word entries of this scorer alive.
                tokens.AsSpan(0, tokenCount).Clear();
                ArrayPool<Token>.Shared.Return(tokens);
            }

            if (valences is not null)
            {
                ArrayPool<double>.Shared.Return(valences);
            }
        }
    }
}
