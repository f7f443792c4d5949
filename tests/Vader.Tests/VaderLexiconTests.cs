using System.Security.Cryptography;
using Pipeline.Vader;
using Xunit;

namespace Vader.Tests;

public sealed class VaderLexiconTests
{
    // The embedded files have 7,520 lexicon lines, of which 14 repeat an earlier token, and
    // 3,570 emoji lines.
    private const int DistinctLexiconTokens = 7506;
    private const int EmojiEntries = 3570;

    // `cat vader_lexicon.txt emoji_utf8_lexicon.txt | sha256sum | cut -c1-12` in services/vader/lexicon.
    // Stored scores carry this value, so a changed lexicon file changes it and stored scores then
    // need `postgres-writer rescore`.
    private const string EmbeddedVersion = "5d1d9d190b90";

    [Fact]
    public void LoadEmbedded_ReadsBothLexicons()
    {
        var lexicon = VaderLexicon.LoadEmbedded();

        Assert.Equal(DistinctLexiconTokens, lexicon.Valences.Count);
        Assert.Equal(EmojiEntries, lexicon.EmojiDescriptions.Count);
        Assert.Equal(1.9, lexicon.Valences["good"]);
        Assert.Equal("grinning face", lexicon.EmojiDescriptions["\U0001F600"]);
    }

    [Fact]
    public void LoadEmbedded_RepeatedToken_KeepsLastLine()
    {
        var lexicon = VaderLexicon.LoadEmbedded();

        // "lol" appears with 2.9 and later with 1.8.
        Assert.Equal(1.8, lexicon.Valences["lol"]);
    }

    [Fact]
    public void Parse_ReadsFirstTwoFieldsOfTrimmedLines()
    {
        using var sentiment = new StringReader("good\t1.9\t0.9\t[2, 2]\n\n  meh\t-0.5  \r\ngood\t2.0\n");
        using var emoji = new StringReader("\U0001F600\tgrinning face\n");

        var lexicon = VaderLexicon.Parse(sentiment, emoji);

        Assert.Equal(2, lexicon.Valences.Count);
        Assert.Equal(2.0, lexicon.Valences["good"]);
        Assert.Equal(-0.5, lexicon.Valences["meh"]);
        Assert.Equal("grinning face", lexicon.EmojiDescriptions["\U0001F600"]);
    }

    [Fact]
    public void Parse_InvalidValence_ThrowsWithLineNumber()
    {
        using var sentiment = new StringReader("good\t1.9\nbad\tminus two\n");
        using var emoji = new StringReader(string.Empty);

        var exception = Assert.Throws<FormatException>(() => VaderLexicon.Parse(sentiment, emoji));

        Assert.Contains("Line 2", exception.Message, StringComparison.Ordinal);
        Assert.Contains("minus two", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LineWithoutTab_Throws()
    {
        using var sentiment = new StringReader("good 1.9\n");
        using var emoji = new StringReader(string.Empty);

        var exception = Assert.Throws<FormatException>(() => VaderLexicon.Parse(sentiment, emoji));

        Assert.Contains("Line 1 of the sentiment lexicon", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scorer_CustomLexicon_UsesItsValences()
    {
        using var sentiment = new StringReader("splendid\t3.0\n");
        using var emoji = new StringReader("\u2600\tsplendid\n");
        var scorer = new VaderScorer(VaderLexicon.Parse(sentiment, emoji));

        Assert.Equal(0.6124, scorer.Score("splendid").Compound);
        Assert.Equal(0.6124, scorer.Score("\u2600").Compound);
        Assert.Equal(0.0, scorer.Score("good").Compound);
    }

    [Fact]
    public void Version_EmbeddedLexicon_IsDigestOfBothFiles()
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in new[] { "Pipeline.Vader.vader_lexicon.txt", "Pipeline.Vader.emoji_utf8_lexicon.txt" })
        {
            using var stream = typeof(VaderLexicon).Assembly.GetManifestResourceStream(name)!;
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            sha256.AppendData(bytes.ToArray());
        }

        var version = VaderLexicon.LoadEmbedded().Version;

        Assert.Equal(Convert.ToHexStringLower(sha256.GetHashAndReset())[..VaderLexicon.VersionLength], version);
        Assert.Equal(EmbeddedVersion, version);
    }

    [Fact]
    public void Version_DefaultScorer_IsEmbeddedLexiconVersion()
    {
        Assert.Equal(VaderLexicon.LoadEmbedded().Version, VaderScorer.Default.LexiconVersion);
    }

    [Fact]
    public void Version_SameText_IsEqual()
    {
        var first = VaderLexicon.Parse(new StringReader("good\t1.9\n"), new StringReader("\u2600\tsun\n"));
        var second = VaderLexicon.Parse(new StringReader("good\t1.9\n"), new StringReader("\u2600\tsun\n"));

        Assert.Equal(first.Version, second.Version);
    }

    [Theory]
    [InlineData("good\t2.0\n", "\u2600\tsun\n")]
    [InlineData("good\t1.9\n", "\u2600\tsunny\n")]
    [InlineData("good\t1.9\nbad\t-2.5\n", "\u2600\tsun\n")]
    public void Version_ChangedText_Differs(string sentimentText, string emojiText)
    {
        var original = VaderLexicon.Parse(new StringReader("good\t1.9\n"), new StringReader("\u2600\tsun\n"));

        var changed = VaderLexicon.Parse(new StringReader(sentimentText), new StringReader(emojiText));

        Assert.NotEqual(original.Version, changed.Version);
    }
}
