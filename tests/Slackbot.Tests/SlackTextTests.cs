using Pipeline.Slackbot.Messages;
using Xunit;

namespace Pipeline.Slackbot.Tests;

public sealed class SlackTextTests
{
    [Fact]
    public void Escape_ReservedCharacters_BecomeEntities()
    {
        Assert.Equal("a &amp; b &lt;!channel&gt; &lt;https://x.test|x&gt;", SlackText.Escape("a & b <!channel> <https://x.test|x>"));
    }

    [Fact]
    public void Escape_AlreadyEscapedText_EscapedAgain()
    {
        // A tweet that contains the text "&amp;" shows it as written.
        Assert.Equal("&amp;amp;", SlackText.Escape("&amp;"));
    }

    [Fact]
    public void EscapeAndCut_ShortText_OnlyEscaped()
    {
        Assert.Equal("fish &amp; chips", SlackText.EscapeAndCut("fish & chips", 3000));
    }

    [Fact]
    public void EscapeAndCut_LongText_EndsWithEllipsisWithinLimit()
    {
        var cut = SlackText.EscapeAndCut(new string('a', 5000), SlackText.MaxSectionLength);

        Assert.Equal(SlackText.MaxSectionLength, cut.Length);
        Assert.EndsWith("a…", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void EscapeAndCut_SurrogatePairAtLimit_NeverSplit()
    {
        // The emoji's two UTF-16 units straddle the last free position.
        var text = new string('a', 2998) + "\U0001F600" + new string('b', 10);

        var cut = SlackText.EscapeAndCut(text, SlackText.MaxSectionLength);

        Assert.True(cut.Length <= SlackText.MaxSectionLength, $"Length {cut.Length}");
        Assert.Equal(new string('a', 2998) + "…", cut);
        Assert.DoesNotContain(cut, char.IsSurrogate);
    }

    [Fact]
    public void EscapeAndCut_EveryPosition_KeepsWholeCodePoints()
    {
        var text = string.Concat(Enumerable.Repeat("x\U0001F600&", 50));
        for (var limit = 2; limit < 200; limit++)
        {
            var cut = SlackText.EscapeAndCut(text, limit);

            Assert.True(cut.Length <= limit, $"Limit {limit}: length {cut.Length}");
            Assert.True(IsWellFormed(cut), $"Limit {limit}: a lone surrogate in '{cut}'");
            Assert.True(HasOnlyWholeEntities(cut), $"Limit {limit}: a split entity in '{cut}'");
        }
    }

    [Fact]
    public void EscapeAndCut_EntityAtLimit_NotSplit()
    {
        var text = new string('a', 2996) + "&" + new string('b', 10);

        var cut = SlackText.EscapeAndCut(text, SlackText.MaxSectionLength);

        Assert.Equal(new string('a', 2996) + "…", cut);
    }

    [Fact]
    public void EscapeAndCut_FlagAtLimit_KeptWholeOrDropped()
    {
        // A flag is two regional indicators, four UTF-16 units, one user-perceived character.
        var text = new string('a', 2996) + "\U0001F1EC\U0001F1E7" + "tail";

        var cut = SlackText.EscapeAndCut(text, SlackText.MaxSectionLength);

        Assert.Equal(new string('a', 2996) + "…", cut);
    }

    [Fact]
    public void EscapeAndCut_HugeCombiningRun_CutsBetweenCodePoints()
    {
        var text = "e" + new string('\u0301', 5000);

        var cut = SlackText.EscapeAndCut(text, 100);

        Assert.Equal(100, cut.Length);
        Assert.StartsWith("e\u0301", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void EscapeAndCut_CutAfterSpace_DropsTrailingSpace()
    {
        var cut = SlackText.EscapeAndCut("aaaa bbbbbbbbbb", 6);

        Assert.Equal("aaaa…", cut);
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasOnlyWholeEntities(string text)
    {
        for (var i = text.IndexOf('&', StringComparison.Ordinal); i >= 0; i = text.IndexOf('&', i + 1))
        {
            if (string.CompareOrdinal(text, i, "&amp;", 0, 5) != 0)
            {
                return false;
            }
        }

        return !text.Contains('<', StringComparison.Ordinal);
    }
}
