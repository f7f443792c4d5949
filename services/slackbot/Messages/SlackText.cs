using System.Globalization;
using System.Text;

namespace Pipeline.Slackbot.Messages;

/// <summary>
/// Prepares untrusted text for Slack's <c>mrkdwn</c>: escapes the characters Slack reserves for
/// its markup and cuts long text to a length limit without splitting a character.
/// </summary>
internal static class SlackText
{
    /// <summary>
    /// The maximum number of characters in the text of a section block or of any text object (Slack's Block
    /// Kit reference, "Text object"). Lengths here count UTF-16 code units, which are never fewer
    /// than the code points in a text, so a text within this count is within Slack's limit.
    /// </summary>
    public const int MaxSectionLength = 3000;

    /// <summary>The mark that ends a text that was cut.</summary>
    public const char Ellipsis = '…';

    /// <summary>
    /// Replaces <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> with their HTML entities, as Slack requires,
    /// so that a tweet cannot form a link, a mention such as <c>&lt;!channel&gt;</c> or other markup.
    /// </summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        AppendEscaped(builder, text);
        return builder.ToString();
    }

    /// <summary>
    /// Escapes <paramref name="text"/> and, when the result is longer than
    /// <paramref name="maxLength"/>, cuts it so that it ends in <see cref="Ellipsis"/> within that
    /// length. The cut falls between user-perceived characters (extended grapheme clusters), so it
    /// never splits a surrogate pair, an escape such as <c>&amp;amp;</c>, an emoji sequence or a
    /// letter from its accents. A single cluster longer than half the limit, such as a run of
    /// thousands of combining marks, is cut between code points instead.
    /// </summary>
    public static string EscapeAndCut(string text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var escaped = Escape(text);
        if (escaped.Length <= maxLength)
        {
            return escaped;
        }

        var budget = maxLength - 1;
        var builder = new StringBuilder(maxLength);
        var rest = text.AsSpan();
        while (rest.Length > 0)
        {
            var clusterLength = StringInfo.GetNextTextElementLength(rest);
            var cluster = rest[..clusterLength];
            var escapedLength = EscapedLength(cluster);
            if (builder.Length + escapedLength > budget)
            {
                if (escapedLength > budget / 2)
                {
                    AppendCodePointsWithin(builder, cluster, budget);
                }

                break;
            }

            AppendEscaped(builder, cluster);
            rest = rest[clusterLength..];
        }

        // A cut right after a space or line break would leave it dangling before the ellipsis.
        var length = builder.Length;
        while (length > 0 && char.IsWhiteSpace(builder[length - 1]))
        {
            length--;
        }

        builder.Length = length;
        return builder.Append(Ellipsis).ToString();
    }

    private static void AppendCodePointsWithin(StringBuilder builder, ReadOnlySpan<char> cluster, int budget)
    {
        Span<char> buffer = stackalloc char[2];
        foreach (var rune in cluster.EnumerateRunes())
        {
            var written = rune.EncodeToUtf16(buffer);
            var escapedLength = EscapedLength(buffer[..written]);
            if (builder.Length + escapedLength > budget)
            {
                return;
            }

            AppendEscaped(builder, buffer[..written]);
        }
    }

    private static int EscapedLength(ReadOnlySpan<char> text)
    {
        var length = text.Length;
        foreach (var c in text)
        {
            length += c switch
            {
                '&' => "&amp;".Length - 1,
                '<' => "&lt;".Length - 1,
                '>' => "&gt;".Length - 1,
                _ => 0,
            };
        }

        return length;
    }

    private static void AppendEscaped(StringBuilder builder, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '&':
                    builder.Append("&amp;");
                    break;
                case '<':
                    builder.Append("&lt;");
                    break;
                case '>':
                    builder.Append("&gt;");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
    }
}
