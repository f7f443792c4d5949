namespace Pipeline.Vader;

/// <summary>
/// Splits prepared text into tokens the way the reference implementation does: split on
/// whitespace, then strip leading and trailing ASCII punctuation unless that leaves two code
/// points or fewer, which keeps emoticons such as ":)" and ":-(" whole.
/// </summary>
internal static class Tokenizer
{
    private const int MaxCodePointsOfEmoticon = 2;

    /// <summary>
    /// Returns the highest number of tokens a text of <paramref name="length"/> characters can
    /// contain, because tokens are at least one character long and separated by whitespace.
    /// </summary>
    public static int MaxTokenCount(int length) => (length + 1) / 2;

    /// <summary>
    /// Writes the tokens of <paramref name="text"/> to <paramref name="tokens"/> and returns their
    /// count. <paramref name="lowercase"/> is the text lowercased with <see cref="PythonText.ToLower"/>.
    /// </summary>
    public static int Tokenize(ReadOnlySpan<char> text, ReadOnlySpan<char> lowercase, WordTable words, Span<Token> tokens)
    {
        var count = 0;
        var position = 0;
        while (position < text.Length)
        {
            while (position < text.Length && PythonText.IsWhitespace(text[position]))
            {
                position++;
            }

            if (position == text.Length)
            {
                break;
            }

            var start = position;
            while (position < text.Length && !PythonText.IsWhitespace(text[position]))
            {
                position++;
            }

            var (tokenStart, tokenLength) = StripPunctuation(text, start, position - start);
            var tokenLower = lowercase.Slice(tokenStart, tokenLength);
            var word = words.Find(tokenLower);
            tokens[count++] = new Token
            {
                Start = tokenStart,
                Length = tokenLength,
                Word = word,
                IsUpper = PythonText.IsUpper(text.Slice(tokenStart, tokenLength)),
                IsNegated = word.IsNegation || tokenLower.Contains("n't", StringComparison.Ordinal),
            };
        }

        return count;
    }

    private static (int Start, int Length) StripPunctuation(ReadOnlySpan<char> text, int start, int length)
    {
        var strippedStart = start;
        var strippedEnd = start + length;
        while (strippedStart < strippedEnd && PythonText.IsAsciiPunctuation(text[strippedStart]))
        {
            strippedStart++;
        }

        while (strippedEnd > strippedStart && PythonText.IsAsciiPunctuation(text[strippedEnd - 1]))
        {
            strippedEnd--;
        }

        var stripped = text[strippedStart..strippedEnd];
        return PythonText.CountCodePoints(stripped) <= MaxCodePointsOfEmoticon
            ? (start, length)
            : (strippedStart, strippedEnd - strippedStart);
    }
}
