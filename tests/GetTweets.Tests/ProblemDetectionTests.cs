using System.Text.Json;
using Pipeline.GetTweets.Search;
using Pipeline.GetTweets.Streaming;
using Xunit;

namespace Pipeline.GetTweets.Tests;

public sealed class ProblemDetectionTests
{
    [Theory]
    [InlineData("""{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect"}]}""", "UpstreamOperationalDisconnect")]
    [InlineData("""{"errors":[{"title":"operational-disconnect","operational_disconnect_type":"ForceDisconnect"}]}""", "ForceDisconnect")]
    [InlineData("""{"errors":[{"title":"operational-disconnect","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}""", "operational-disconnect")]
    [InlineData("""{"errors":[{"title":"operational-disconnect","type":"https://api.x.com/2/problems/operational-disconnect"}]}""", "operational-disconnect")]
    public void OperationalDisconnect_EachSpelling_Found(string message, string expectedType)
    {
        var disconnect = OperationalDisconnect.Find(Parse(message));

        Assert.Equal(expectedType, disconnect?.DisconnectType);
    }

    [Theory]
    [InlineData("""{"errors":[{"title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}""")]
    [InlineData("""{"data":{"id":"1","text":"a post"}}""")]
    [InlineData("""[1, 2]""")]
    public void OperationalDisconnect_OtherMessage_NotFound(string message)
    {
        Assert.Null(OperationalDisconnect.Find(Parse(message)));
    }

    [Theory]
    [InlineData("""{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","period":"Monthly","scope":"Product"}""", true)]
    [InlineData("""{"title":"Too Many Requests","type":"https://api.x.com/2/problems/usage-capped"}""", true)]
    [InlineData("""{"errors":[{"title":"UsageCapExceeded","type":"https://api.twitter.com/2/problems/usage-capped"}]}""", true)]
    [InlineData("""{"title":"Too Many Requests","detail":"Too Many Requests","status":429}""", false)]
    [InlineData("""{"title":"ConnectionException","connection_issue":"TooManyConnections","type":"https://api.twitter.com/2/problems/streaming-connection"}""", false)]
    [InlineData("Rate limit exceeded", false)]
    public void UsageCap_ResponseBody_Recognized(string body, bool expected)
    {
        Assert.Equal(expected, UsageCap.IsExceeded(body));
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
