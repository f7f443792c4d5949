using System.Buffers;
using System.Globalization;
using System.Text;

namespace Pipeline.MongoWriter;

/// <summary>
/// Reversible escaping of JSON object keys that MongoDB cannot store or address as they are.
/// </summary>
/// <remarks>
/// A BSON key is a C string, so it cannot contain U+0000. MongoDB reads <c>.</c> in a key as a
/// path separator and a leading <c>$</c> as an operator, which makes such keys ambiguous in
/// queries and rejected in replacement documents. The scheme is percent-encoding of exactly these
/// characters: <c>%</c> becomes <c>%25</c>, <c>.</c> becomes <c>%2E</c>, U+0000 becomes <c>%00</c>
/// and a <c>$</c> in the first position becomes <c>%24</c> (a <c>$</c> elsewhere stays). Every
/// other character, including non-ASCII text, is kept. Because every <c>%</c> of the original is
/// encoded, each <c>%</c> of an escaped key starts one of these four escapes, and
/// <see cref="Unescape"/> restores the original exactly. A key with no such character is
/// returned unchanged, so ordinary keys read the same in MongoDB as in the API's JSON.
/// </remarks>
internal static class BsonKeyEscaping
{
    private static readonly SearchValues<char> EscapedAnywhere = SearchValues.Create("%.\0");

    /// <summary>Returns <paramref name="key"/> with <c>%</c>, <c>.</c>, U+0000 and a leading <c>$</c> percent-encoded.</summary>
    public static string Escape(string key)
    {
        if (!NeedsEscaping(key))
        {
            return key;
        }

        var escaped = new StringBuilder(key.Length + 8);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            switch (c)
            {
                case '%':
                    escaped.Append("%25");
                    break;
                case '.':
                    escaped.Append("%2E");
                    break;
                case '\0':
                    escaped.Append("%00");
                    break;
                case '$' when i == 0:
                    escaped.Append("%24");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// Restores a key written by <see cref="Escape"/>. Throws <see cref="FormatException"/> when a
    /// <c>%</c> is not followed by two hexadecimal digits, which <see cref="Escape"/> never writes.
    /// </summary>
    public static string Unescape(string key)
    {
        var first = key.IndexOf('%', StringComparison.Ordinal);
        if (first < 0)
        {
            return key;
        }

        var restored = new StringBuilder(key.Length);
        restored.Append(key, 0, first);
        for (var i = first; i < key.Length; i++)
        {
            if (key[i] != '%')
            {
                restored.Append(key[i]);
                continue;
            }

            if (i + 2 >= key.Length
                || !byte.TryParse(key.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                throw new FormatException($"Invalid escaped key '{key}': '%' at position {i} must be followed by two hexadecimal digits.");
            }

            restored.Append((char)code);
            i += 2;
        }

        return restored.ToString();
    }

    private static bool NeedsEscaping(string key)
    {
        if (key.Length > 0 && key[0] == '$')
        {
            return true;
        }

        return key.AsSpan().IndexOfAny(EscapedAnywhere) >= 0;
    }
}
