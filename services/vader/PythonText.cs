using System.Globalization;
using System.Text;

namespace Pipeline.Vader;

/// <summary>
/// String operations with the semantics of the Python 3 <c>str</c> methods that the reference
/// implementation tokenises with (<c>split</c>, <c>strip</c>, <c>isupper</c>, <c>lower</c>,
/// <c>len</c>). Scores match the reference only if these match, so each method states where
/// it departs from Python.
/// </summary>
internal static class PythonText
{
    /// <summary>
    /// Returns whether <paramref name="c"/> is whitespace for Python's <c>str.split()</c> and
    /// <c>str.strip()</c>. Python also counts U+001C to U+001F, which <see cref="char.IsWhiteSpace(char)"/> does not.
    /// </summary>
    public static bool IsWhitespace(char c) =>
        c is (>= '\t' and <= '\r') or ' ' or (>= '\u001c' and <= '\u001f')
        || (c > '\u007f' && char.IsWhiteSpace(c));

    /// <summary>
    /// Returns whether <paramref name="c"/> is in Python's <c>string.punctuation</c>, the ASCII
    /// punctuation and symbol characters.
    /// </summary>
    public static bool IsAsciiPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');

    /// <summary>Removes leading and trailing whitespace as Python's <c>str.strip()</c> does.</summary>
    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> text)
    {
        var start = 0;
        while (start < text.Length && IsWhitespace(text[start]))
        {
            start++;
        }

        var end = text.Length;
        while (end > start && IsWhitespace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>
    /// Counts code points, which is what Python's <c>len</c> returns. A lone surrogate counts as one.
    /// </summary>
    public static int CountCodePoints(ReadOnlySpan<char> text)
    {
        var count = text.Length;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }

    /// <summary>
    /// Returns whether the text has at least one cased character and no lowercase or titlecase
    /// one, as Python's <c>str.isupper()</c> does. "LOL!" and ":D" are upper, ":)" is not.
    /// </summary>
    public static bool IsUpper(ReadOnlySpan<char> text)
    {
        var hasCased = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c <= '\u007f')
            {
                if (char.IsAsciiLetterLower(c))
                {
                    return false;
                }

                hasCased |= char.IsAsciiLetterUpper(c);
                i++;
                continue;
            }

            Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                || IsOtherLowercase(rune.Value))
            {
                return false;
            }

            hasCased |= category == UnicodeCategory.UppercaseLetter || IsOtherUppercase(rune.Value);
            i += consumed;
        }

        return hasCased;
    }

    /// <summary>
    /// Writes the lowercase form of <paramref name="source"/> to <paramref name="destination"/>,
    /// which must be at least as long, and returns the number of characters written (always the
    /// source length). ASCII maps exactly as in Python.
    /// </summary>
    /// <remarks>
    /// NOTE: other characters take the simple Unicode mapping, while Python's <c>str.lower()</c>
    /// applies the full one ("İ" becomes "i̇", a final "Σ" becomes "ς"). Every difference
    /// involves non-ASCII output, and the words the rules and the lexicon match on are ASCII,
    /// so scores stay the same.
    /// </remarks>
    public static int ToLower(ReadOnlySpan<char> source, Span<char> destination)
    {
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c <= '\u007f')
            {
                destination[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                i++;
                continue;
            }

            Rune.DecodeFromUtf16(source[i..], out var rune, out var consumed);
            var lower = Rune.ToLowerInvariant(rune);

            // A lone surrogate decodes to U+FFFD, and a mapping could in principle change the
            // UTF-16 length, so both keep the source characters and the length bound.
            if (rune == Rune.ReplacementChar || lower.Utf16SequenceLength != consumed)
            {
                source.Slice(i, consumed).CopyTo(destination[i..]);
            }
            else
            {
                lower.EncodeToUtf16(destination[i..]);
            }

            i += consumed;
        }

        return source.Length;
    }

    // Python's isupper() and islower() test the derived Uppercase and Lowercase properties,
    // which add the Other_Uppercase and Other_Lowercase characters to the Lu and Ll categories.
    // The ranges are those of Unicode 14.0, the database of Python 3.11.
    private static bool IsOtherUppercase(int codePoint) => codePoint switch
    {
        >= 0x2160 and <= 0x216F => true, // Roman numerals Ⅰ to Ⅿ
        >= 0x24B6 and <= 0x24CF => true, // circled letters Ⓐ to Ⓩ
        >= 0x1F130 and <= 0x1F149 => true, // squared letters
        >= 0x1F150 and <= 0x1F169 => true, // negative circled letters
        >= 0x1F170 and <= 0x1F189 => true, // negative squared letters
        _ => false,
    };

    private static bool IsOtherLowercase(int codePoint) => codePoint switch
    {
        0xAA or 0xBA => true, // ordinal indicators ª º
        >= 0x2B0 and <= 0x2B8 => true,
        0x2C0 or 0x2C1 => true,
        >= 0x2E0 and <= 0x2E4 => true,
        0x345 or 0x37A => true,
        >= 0x1D2C and <= 0x1D6A => true,
        0x1D78 => true,
        >= 0x1D9B and <= 0x1DBF => true,
        0x2071 or 0x207F => true,
        >= 0x2090 and <= 0x209C => true,
        >= 0x2170 and <= 0x217F => true, // small Roman numerals ⅰ to ⅿ
        >= 0x24D0 and <= 0x24E9 => true, // circled letters ⓐ to ⓩ
        0x2C7C or 0x2C7D => true,
        0xA69C or 0xA69D => true,
        0xA770 => true,
        0xA7F8 or 0xA7F9 => true,
        >= 0xAB5C and <= 0xAB5F => true,
        0x10780 => true,
        >= 0x10783 and <= 0x10785 => true,
        >= 0x10787 and <= 0x107B0 => true,
        >= 0x107B2 and <= 0x107BA => true,
        _ => false,
    };
}
