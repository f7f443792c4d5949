using Pipeline.GetTweets.Search;

namespace Pipeline.GetTweets.Streaming;

/// <summary>Why a filtered-stream connection failed or ended, which decides the wait before the next one.</summary>
internal enum StreamFailure
{
    /// <summary>A network error, a stall, a closed connection or an operational disconnect.</summary>
    Network,

    /// <summary>An HTTP error status other than 429.</summary>
    Http,

    /// <summary>HTTP 429 Too Many Requests, such as a second connection to the same stream.</summary>
    RateLimited,
}

/// <summary>
/// The waits between filtered-stream reconnects, as X's guide to handling disconnections sets them
/// (https://docs.x.com/x-api/fundamentals/handling-disconnections). Network errors add 250 ms per
/// try up to 16 s. HTTP errors wait 5 s, doubling up to 320 s. HTTP 429 waits 60 s, doubling, and
/// here stops growing at 15 minutes, one rate-limit window. Each kind counts its own tries, and all
/// counts start over once a connection has delivered data.
/// </summary>
internal sealed class StreamReconnectBackoff
{
    /// <summary>The step by which the wait grows per network error.</summary>
    public static readonly TimeSpan NetworkStep = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait after network errors.</summary>
    public static readonly TimeSpan NetworkMax = TimeSpan.FromSeconds(16);

    /// <summary>The first wait after an HTTP error.</summary>
    public static readonly TimeSpan HttpStart = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait after HTTP errors.</summary>
    public static readonly TimeSpan HttpMax = TimeSpan.FromSeconds(320);

    private int networkTries;
    private int httpTries;
    private int rateLimitedTries;

    /// <summary>Counts one more failure of <paramref name="failure"/> and returns the wait before the next connection.</summary>
    public TimeSpan Next(StreamFailure failure)
    {
        switch (failure)
        {
            case StreamFailure.Network:
                networkTries++;
                return Min(NetworkStep * networkTries, NetworkMax);
            case StreamFailure.Http:
                httpTries++;
                return Doubled(HttpStart, httpTries, HttpMax);
            default:
                rateLimitedTries++;
                return Doubled(XApiClient.RateLimitBackoffStart, rateLimitedTries, XApiClient.RateLimitBackoffMax);
        }
    }

    /// <summary>Starts every count over, after a connection delivered data.</summary>
    public void Reset()
    {
        networkTries = 0;
        httpTries = 0;
        rateLimitedTries = 0;
    }

    private static TimeSpan Doubled(TimeSpan start, int tries, TimeSpan max) =>
        Min(start * Math.Pow(2, Math.Min(tries - 1, 20)), max);

    private static TimeSpan Min(TimeSpan first, TimeSpan second) => first < second ? first : second;
}
