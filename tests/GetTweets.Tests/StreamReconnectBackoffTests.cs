using Pipeline.GetTweets.Streaming;
using Xunit;

namespace Pipeline.GetTweets.Tests;

public sealed class StreamReconnectBackoffTests
{
    [Fact]
    public void NetworkErrors_Add250MillisecondsUpTo16Seconds()
    {
        var backoff = new StreamReconnectBackoff();

        var waits = Enumerable.Range(0, 70).Select(_ => backoff.Next(StreamFailure.Network)).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(250), waits[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(500), waits[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(750), waits[2]);
        Assert.Equal(TimeSpan.FromSeconds(16), waits[63]);
        Assert.Equal(TimeSpan.FromSeconds(16), waits[69]);
    }

    [Fact]
    public void HttpErrors_DoubleFrom5SecondsUpTo320()
    {
        var backoff = new StreamReconnectBackoff();

        var waits = Enumerable.Range(0, 9).Select(_ => backoff.Next(StreamFailure.Http).TotalSeconds).ToList();

        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 320, 320], waits);
    }

    [Fact]
    public void RateLimited_DoublesFrom60SecondsUpTo15Minutes()
    {
        var backoff = new StreamReconnectBackoff();

        var waits = Enumerable.Range(0, 7).Select(_ => backoff.Next(StreamFailure.RateLimited).TotalSeconds).ToList();

        Assert.Equal([60, 120, 240, 480, 900, 900, 900], waits);
    }

    [Fact]
    public void Kinds_CountTheirOwnTries()
    {
        var backoff = new StreamReconnectBackoff();
        backoff.Next(StreamFailure.Http);
        backoff.Next(StreamFailure.Http);

        var network = backoff.Next(StreamFailure.Network);
        var http = backoff.Next(StreamFailure.Http);

        Assert.Equal(TimeSpan.FromMilliseconds(250), network);
        Assert.Equal(TimeSpan.FromSeconds(20), http);
    }

    [Fact]
    public void Reset_StartsEveryKindOver()
    {
        var backoff = new StreamReconnectBackoff();
        backoff.Next(StreamFailure.Network);
        backoff.Next(StreamFailure.Http);
        backoff.Next(StreamFailure.RateLimited);

        backoff.Reset();

        Assert.Equal(TimeSpan.FromMilliseconds(250), backoff.Next(StreamFailure.Network));
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Next(StreamFailure.Http));
        Assert.Equal(TimeSpan.FromSeconds(60), backoff.Next(StreamFailure.RateLimited));
    }
}
