using Pipeline.GetTweets.Search;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>
/// The excerpt of a non-JSON error body that the collector logs is cut at 200 UTF-16 code units.
/// The cut must fall between code points, so an emoji at the limit is kept whole or dropped.
/// </summary>
public sealed class ErrorDetailTests
{
    [Theory]
    [InlineData(198)]
    [InlineData(199)]
    [InlineData(200)]
    public void ErrorDetail_EmojiAtCut_NotSplit(int emojiIndex)
    {
        var body = "<html>" + new string('a', emojiIndex - 9) + "hi \U0001F600 there" + new string('b', 300) + "</html>";

        var detail = XApiClient.ErrorDetail(body);

        Assert.False(HasLoneSurrogate(detail), $"Lone surrogate in: {detail}");
    }

    [Fact]
    public void ErrorDetail_LongBody_EndsWithEllipsis()
    {
        var detail = XApiClient.ErrorDetail(new string('a', 500));

        Assert.Equal(new string('a', 200) + "...", detail);
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
