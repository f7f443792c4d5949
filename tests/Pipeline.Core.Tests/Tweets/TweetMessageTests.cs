using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.Core.Tests.Tweets;

public sealed class TweetMessageTests
{
    private static readonly DateTimeOffset ObservedAt = new(2021, 8, 17, 17, 26, 15, 788, TimeSpan.Zero);

    [Fact]
    public void DeletionToJson_WritesContractShape()
    {
        var deletion = new TweetDeletion("1170147183095664640", "deactivated", new CollectionSource("compliance", "results.jsonl"), ObservedAt);

        using var json = JsonDocument.Parse(deletion.ToJson());
        var root = json.RootElement;

        Assert.Equal("deletion", root.GetProperty("type").GetString());
        Assert.Equal("1170147183095664640", root.GetProperty("id").GetString());
        Assert.Equal("deactivated", root.GetProperty("reason").GetString());
        Assert.Equal("compliance", root.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal("results.jsonl", root.GetProperty("source").GetProperty("name").GetString());
        Assert.Equal(ObservedAt, root.GetProperty("observed_at").GetDateTimeOffset());
    }

    [Fact]
    public void DeletionFromJson_RoundTrip_IsEqual()
    {
        var deletion = new TweetDeletion("1170025343920402432", TweetDeletion.NotFound, new CollectionSource("recent_search", "#postgres"), ObservedAt);

        Assert.Equal(deletion, TweetDeletion.FromJson(deletion.ToJson()));
    }

    [Fact]
    public void Parse_Deletion_SetsOnlyDeletion()
    {
        var deletion = new TweetDeletion("1170025343920402432", "protected", new CollectionSource("compliance", "c.jsonl"), ObservedAt);

        var message = TweetMessage.Parse(deletion.ToJson());

        Assert.Null(message.Tweet);
        Assert.Equal(deletion, message.Deletion);
        Assert.Equal("1170025343920402432", message.Id);
    }

    [Fact]
    public void Parse_Envelope_SetsOnlyTweet()
    {
        var raw = JsonDocument.Parse("""{"id":"732822797798539265","text":"hi","type":"not a message type"}""").RootElement;
        var envelope = new TweetEnvelope("732822797798539265", raw, null, [], [], [], [], null, new CollectionSource("replay", "sample"), ObservedAt);

        var message = TweetMessage.Parse(envelope.ToJson());

        Assert.Null(message.Deletion);
        Assert.NotNull(message.Tweet);
        Assert.Equal("732822797798539265", message.Id);
        Assert.Equal(envelope.ToJson(), message.Tweet.ToJson());
    }

    [Fact]
    public void Parse_EnvelopeJson_IsUnchanged()
    {
        // Every writer already reads this wire form, so adding deletions must not alter it.
        var raw = JsonDocument.Parse("""{"id":"1","text":"t"}""").RootElement;
        var envelope = new TweetEnvelope("1", raw, null, [], [], [], [], null, new CollectionSource("replay", "sample"), DateTimeOffset.UnixEpoch);

        Assert.Equal(
            """{"id":"1","tweet":{"id":"1","text":"t"},"referenced_tweets":[],"media":[],"places":[],"polls":[],"source":{"kind":"replay","name":"sample"},"collected_at":"1970-01-01T00:00:00+00:00"}""",
            envelope.ToJson());
    }

    [Theory]
    [InlineData("""{"type":"retraction","id":"1"}""", "unknown type")]
    [InlineData("""[1,2]""", "JSON object")]
    [InlineData("""{"type":"deletion","id":"12a","reason":"deleted","source":{"kind":"k","name":"n"},"observed_at":"2021-01-01T00:00:00Z"}""", "'12a'")]
    [InlineData("""{"type":"deletion","id":"0","reason":"deleted","source":{"kind":"k","name":"n"},"observed_at":"2021-01-01T00:00:00Z"}""", "'0'")]
    [InlineData("""{"type":"deletion","id":"1","source":{"kind":"k","name":"n"},"observed_at":"2021-01-01T00:00:00Z"}""", "no reason")]
    [InlineData("""{"type":"deletion","id":"1","reason":"deleted","observed_at":"2021-01-01T00:00:00Z"}""", "no source")]
    [InlineData("""{"type":"deletion","id":"1","reason":"deleted","source":{"kind":"k","name":"n"}}""", "no observed_at")]
    public void Parse_InvalidPayload_Throws(string json, string expected)
    {
        var error = Assert.Throws<JsonException>(() => TweetMessage.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1170025343920402432", true)]
    [InlineData("9223372036854775807", true)]
    [InlineData("9223372036854775808", false)]
    [InlineData("-1", false)]
    [InlineData("0123", false)]
    [InlineData("0", false)]
    [InlineData(" 1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsTweetId_Cases(string? id, bool expected)
    {
        Assert.Equal(expected, TweetDeletion.IsTweetId(id));
    }
}
