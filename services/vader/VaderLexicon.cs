using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Vader;

/// <summary>
/// The VADER sentiment lexicon (token to mean valence, -4 to 4) and the emoji lexicon (emoji to
/// English description). The library embeds the files of the reference implementation; see
/// lexicon/SOURCES.md beside the project for their origin and licence.
/// </summary>
public sealed class VaderLexicon
{
    private const string SentimentResourceName = "Pipeline.Vader.vader_lexicon.txt";
    private const string EmojiResourceName = "Pipeline.Vader.emoji_utf8_lexicon.txt";

    /// <summary>Number of hexadecimal digits of the SHA-256 digest that <see cref="Version"/> keeps.</summary>
    public const int VersionLength = 12;

    private VaderLexicon(FrozenDictionary<string, double> valences, FrozenDictionary<string, string> emojiDescriptions, string version)
    {
        ValenceByToken = valences;
        DescriptionByEmoji = emojiDescriptions;
        Version = version;
    }

    /// <summary>Mean human valence rating of each lexicon token, -4 (most negative) to 4.</summary>
    public IReadOnlyDictionary<string, double> Valences => ValenceByToken;

    /// <summary>English description of each emoji, such as "grinning face" for U+1F600.</summary>
    public IReadOnlyDictionary<string, string> EmojiDescriptions => DescriptionByEmoji;

    /// <summary>
    /// Fingerprint of the lexicon text: the first <see cref="VersionLength"/> lowercase hex digits
    /// of the SHA-256 of the sentiment lexicon's text followed by the emoji lexicon's text, both
    /// encoded as UTF-8. For files in UTF-8 without a byte order mark, as the embedded ones are,
    /// <c>cat vader_lexicon.txt emoji_utf8_lexicon.txt | sha256sum | cut -c1-12</c> prints it.
    /// Stored scores carry it, so that scores from another lexicon can be found and recomputed.
    /// </summary>
    public string Version { get; }

    internal FrozenDictionary<string, double> ValenceByToken { get; }

    internal FrozenDictionary<string, string> DescriptionByEmoji { get; }

    /// <summary>
    /// Loads the lexicons embedded in this assembly. Each call parses them again, so callers
    /// should load once and share the result, as <see cref="VaderScorer.Default"/> does.
    /// </summary>
    public static VaderLexicon LoadEmbedded()
    {
        using var sentimentReader = OpenEmbedded(SentimentResourceName);
        using var emojiReader = OpenEmbedded(EmojiResourceName);
        return Parse(sentimentReader, emojiReader);
    }

    /// <summary>
    /// Parses lexicons in the format of the reference files. Each line of the sentiment lexicon
    /// is "token TAB mean valence TAB ..." and each line of the emoji lexicon is "emoji TAB
    /// description"; further fields are ignored. Lines are trimmed of whitespace, empty lines are
    /// skipped, and for a repeated token the last line wins, as in the reference implementation.
    /// </summary>
    /// <exception cref="FormatException">A line has no tab or its valence is not a number.</exception>
    public static VaderLexicon Parse(TextReader sentimentLexicon, TextReader emojiLexicon)
    {
        ArgumentNullException.ThrowIfNull(sentimentLexicon);
        ArgumentNullException.ThrowIfNull(emojiLexicon);

        var sentimentText = sentimentLexicon.ReadToEnd();
        var emojiText = emojiLexicon.ReadToEnd();

        var valences = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (lineNumber, token, value) in ReadEntries(sentimentText, "sentiment lexicon"))
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                throw new FormatException(
                    $"Line {lineNumber} of the sentiment lexicon is invalid: the valence '{value}' of token '{token}' is not a number.");
            }

            valences[token] = valence;
        }

        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, emoji, description) in ReadEntries(emojiText, "emoji lexicon"))
        {
            descriptions[emoji] = description;
        }

        return new VaderLexicon(
            valences.ToFrozenDictionary(StringComparer.Ordinal),
            descriptions.ToFrozenDictionary(StringComparer.Ordinal),
            ComputeVersion(sentimentText, emojiText));
    }

    private static string ComputeVersion(string sentimentText, string emojiText)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(Encoding.UTF8.GetBytes(sentimentText));
        sha256.AppendData(Encoding.UTF8.GetBytes(emojiText));
        return Convert.ToHexStringLower(sha256.GetHashAndReset())[..VersionLength];
    }

    private static List<(int LineNumber, string Key, string Value)> ReadEntries(string text, string lexiconName)
    {
        // Lines end at '\n' only. A '\r' before it is whitespace, so the trim removes it.
        var lines = text.TrimEnd('\n').Split('\n');
        var entries = new List<(int LineNumber, string Key, string Value)>(lines.Length);
        for (var index = 0; index < lines.Length; index++)
        {
            if (lines[index].Length == 0)
            {
                continue;
            }

            var line = PythonText.Trim(lines[index]);
            var firstTab = line.IndexOf('\t');
            if (firstTab < 0)
            {
                throw new FormatException(
                    $"Line {index + 1} of the {lexiconName} is invalid: expected two tab-separated fields, got '{line}'.");
            }

            var rest = line[(firstTab + 1)..];
            var secondTab = rest.IndexOf('\t');
            var value = secondTab < 0 ? rest : rest[..secondTab];
            entries.Add((index + 1, line[..firstTab].ToString(), value.ToString()));
        }

        return entries;
    }

    private static StreamReader OpenEmbedded(string resourceName)
    {
        var stream = typeof(VaderLexicon).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException(
                $"Embedded resource '{resourceName}' is missing from {typeof(VaderLexicon).Assembly.GetName().Name}; "
                + "the project file must embed the files under lexicon/.");
        return new StreamReader(stream);
    }
}
