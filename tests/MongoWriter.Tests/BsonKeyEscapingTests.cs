using Xunit;

namespace Pipeline.MongoWriter.Tests;

public sealed class BsonKeyEscapingTests
{
    [Theory]
    [InlineData("text", "text")]
    [InlineData("a.b", "a%2Eb")]
    [InlineData("$type", "%24type")]
    [InlineData("a$b", "a$b")]
    [InlineData("$$", "%24$")]
    [InlineData("100%", "100%25")]
    [InlineData("%2E", "%252E")]
    [InlineData("nul\0key", "nul%00key")]
    [InlineData(".$.", "%2E$%2E")]
    [InlineData("clé 🎉.x", "clé 🎉%2Ex")]
    [InlineData("", "")]
    public void Escape_Key_EncodesReservedCharacters(string key, string expected)
    {
        Assert.Equal(expected, BsonKeyEscaping.Escape(key));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("$type")]
    [InlineData("$a.$b%c\0d")]
    [InlineData("%24type")]
    [InlineData("%")]
    [InlineData("%%%")]
    [InlineData("ends with %2")]
    [InlineData("clé 🎉.x")]
    public void Unescape_EscapedKey_RestoresOriginal(string key)
    {
        Assert.Equal(key, BsonKeyEscaping.Unescape(BsonKeyEscaping.Escape(key)));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("$type")]
    [InlineData("nul\0key")]
    public void Escape_ReservedKey_LeavesNoReservedCharacter(string key)
    {
        var escaped = BsonKeyEscaping.Escape(key);

        Assert.DoesNotContain('.', escaped);
        Assert.DoesNotContain('\0', escaped);
        Assert.False(escaped.StartsWith('$'), $"'{escaped}' starts with '$'.");
    }

    [Theory]
    [InlineData("%")]
    [InlineData("a%2")]
    [InlineData("%zz")]
    public void Unescape_MalformedEscape_Throws(string key)
    {
        Assert.Throws<FormatException>(() => BsonKeyEscaping.Unescape(key));
    }
}
