using System.Text.Json;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

public sealed class NullCharactersTests
{
    [Fact]
    public void Replace_NoNullCharacter_ReturnsTextUnchanged()
    {
        const string Json = """{"text": "caf\u00e9", "id": 1}""";

        var clean = NullCharacters.Replace(Parse(Json));

        Assert.Equal(Json, clean.Json);
        Assert.Equal(0, clean.Replaced);
    }

    [Fact]
    public void Replace_NestedNullCharacters_CountsEachOne()
    {
        var clean = NullCharacters.Replace(Parse("""{"a": {"b": ["x\u0000\u0000y"]}, "k\u0000": "z"}"""));

        Assert.Equal(3, clean.Replaced);
        Assert.Equal("x\uFFFD\uFFFDy", clean.Value.GetProperty("a").GetProperty("b")[0].GetString());
        Assert.Equal("z", clean.Value.GetProperty("k\uFFFD").GetString());
        Assert.DoesNotContain("\\u0000", clean.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void Replace_EscapedBackslash_KeepsLiteralText()
    {
        // The JSON string contains a backslash followed by "u0000", which is six characters and no null character.
        var clean = NullCharacters.Replace(Parse("""{"a": "\\u0000", "b": "\u0000"}"""));

        Assert.Equal(1, clean.Replaced);
        Assert.Equal("\\u0000", clean.Value.GetProperty("a").GetString());
    }

    [Fact]
    public void Replace_LargeNumber_KeepsExactDigits()
    {
        var clean = NullCharacters.Replace(Parse("""{"id": 732822797798539265, "text": "\u0000"}"""));

        Assert.Equal(732822797798539265, clean.Value.GetProperty("id").GetInt64());
        Assert.Contains("732822797798539265", clean.Json, StringComparison.Ordinal);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
