using Pipeline.Vader;
using Xunit;

namespace Vader.Tests;

/// <summary>
/// Expected values are those of Python 3.11's str methods, which the reference implementation
/// tokenises with.
/// </summary>
public sealed class PythonTextTests
{
    [Theory]
    [InlineData("LOL!", true)]
    [InlineData(":D", true)]
    [InlineData("I", true)]
    [InlineData("GOOD2GO", true)]
    [InlineData(":)", false)]
    [InlineData("123", false)]
    [InlineData("", false)]
    [InlineData("Good", false)]
    [InlineData("ÉTÉ", true)]
    [InlineData("\U0001D406\U0001D40E\U0001D40E\U0001D403", true)] // mathematical bold "GOOD", category Lu
    [InlineData("\u24B6\u24B7", true)] // circled capitals, Other_Uppercase
    [InlineData("AB\u00AA", false)] // feminine ordinal, Other_Lowercase
    [InlineData("\u01C5", false)] // titlecase "Dž"
    public void IsUpper_MatchesPythonIsUpper(string text, bool expected) =>
        Assert.Equal(expected, PythonText.IsUpper(text));

    [Theory]
    [InlineData(' ', true)]
    [InlineData('\t', true)]
    [InlineData('\u000b', true)]
    [InlineData('\u001c', true)]
    [InlineData('\u001f', true)]
    [InlineData('\u0085', true)]
    [InlineData('\u00a0', true)]
    [InlineData('\u2028', true)]
    [InlineData('\u3000', true)]
    [InlineData('\u200b', false)]
    [InlineData('\u180e', false)]
    [InlineData('a', false)]
    public void IsWhitespace_MatchesPythonIsSpace(char c, bool expected) =>
        Assert.Equal(expected, PythonText.IsWhitespace(c));

    [Theory]
    [InlineData("", 0)]
    [InlineData("ok", 2)]
    [InlineData("\U0001F600\U0001F600", 2)]
    [InlineData("a\U0001F600b", 3)]
    public void CountCodePoints_CountsSurrogatePairsOnce(string text, int expected) =>
        Assert.Equal(expected, PythonText.CountCodePoints(text));

    [Fact]
    public void CountCodePoints_LoneSurrogate_CountsOne()
    {
        // Built at run time because attribute strings cannot carry a lone surrogate.
        var loneHighSurrogate = new string('\ud83d', 1);

        Assert.Equal(1, PythonText.CountCodePoints(loneHighSurrogate));
        Assert.Equal(3, PythonText.CountCodePoints("a" + loneHighSurrogate + "b"));
    }

    [Theory]
    [InlineData("Hello, WORLD", "hello, world")]
    [InlineData("ÉTÉ", "été")]
    [InlineData("\U00010400", "\U00010428")] // Deseret capital to small letter
    [InlineData("\u212A", "k")] // Kelvin sign, which Python lowercases to ASCII k as well
    public void ToLower_KeepsLengthAndMapsCase(string text, string expected)
    {
        var buffer = new char[text.Length];

        var written = PythonText.ToLower(text, buffer);

        Assert.Equal(text.Length, written);
        Assert.Equal(expected, new string(buffer));
    }
}
