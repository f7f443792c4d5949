using System.Collections.Frozen;
using System.Text;

namespace Pipeline.Vader;

/// <summary>
/// Replaces each emoji of the emoji lexicon by its English description, so "I ❤ it" is scored
/// as "I red heart it". Like the reference implementation, it looks up one code point at a time,
/// so only single-code-point entries ever match, and a sequence such as "❤️" (heart plus
/// variation selector U+FE0F) becomes "red heart" followed by the selector in the same token.
/// </summary>
internal sealed class EmojiReplacer
{
    private readonly FrozenDictionary<int, string> _descriptionByCodePoint;
    private readonly char _minFirstCodeUnit;

    public EmojiReplacer(VaderLexicon lexicon)
    {
        var descriptions = new Dictionary<int, string>();
        foreach (var (emoji, description) in lexicon.DescriptionByEmoji)
        {
            if (Rune.DecodeFromUtf16(emoji, out var rune, out var consumed) == System.Buffers.OperationStatus.Done
                && consumed == emoji.Length)
            {
                descriptions[rune.Value] = description;
            }
        }

        _descriptionByCodePoint = descriptions.ToFrozenDictionary();

        // Characters below the lowest first UTF-16 unit of any emoji skip the lookup, which
        // covers ASCII and so most of the text.
        _minFirstCodeUnit = descriptions.Count == 0
            ? char.MaxValue
            : descriptions.Keys.Min(codePoint => new Rune(codePoint).ToString()[0]);
    }

    /// <summary>
    /// Writes <paramref name="text"/> with its emoji replaced to <paramref name="output"/> and
    /// returns true, or returns false without writing when the text contains no emoji.
    /// </summary>
    /// <remarks>
    /// A description is preceded by a space unless the previous character is a space (U+0020
    /// only, as in the reference) or the description starts the text. Nothing is put after
    /// it, so "😀abc" becomes "grinning faceabc".
    /// </remarks>
    public bool TryReplace(ReadOnlySpan<char> text, ref PooledCharBuffer output)
    {
        var first = IndexOfFirstEmoji(text);
        if (first < 0)
        {
            return false;
        }

        output.Append(text[..first]);
        var previousIsSpace = first == 0 || text[first - 1] == ' ';
        var position = first;
        while (position < text.Length)
        {
            var length = ReadEmoji(text, position, out var description);
            if (description is null)
            {
                output.Append(text.Slice(position, length));
                previousIsSpace = text[position] == ' ';
            }
            else
            {
                if (!previousIsSpace)
                {
                    output.Append(' ');
                }

                output.Append(description);
                previousIsSpace = false;
            }

            position += length;
        }

        return true;
    }

    private int IndexOfFirstEmoji(ReadOnlySpan<char> text)
    {
        var position = 0;
        while (position < text.Length)
        {
            var length = ReadEmoji(text, position, out var description);
            if (description is not null)
            {
                return position;
            }

            position += length;
        }

        return -1;
    }

    /// <summary>
    /// Reads the code point at <paramref name="position"/>, sets its description (null when it
    /// is not an emoji of the lexicon) and returns its length in UTF-16 code units.
    /// </summary>
    private int ReadEmoji(ReadOnlySpan<char> text, int position, out string? description)
    {
        var c = text[position];
        if (c < _minFirstCodeUnit)
        {
            description = null;
            return 1;
        }

        var codePoint = (int)c;
        var length = 1;
        if (char.IsHighSurrogate(c) && position + 1 < text.Length && char.IsLowSurrogate(text[position + 1]))
        {
            codePoint = char.ConvertToUtf32(c, text[position + 1]);
            length = 2;
        }

        description = _descriptionByCodePoint.GetValueOrDefault(codePoint);
        return length;
    }
}
