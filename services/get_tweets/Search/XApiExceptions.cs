using System.Net;

namespace Pipeline.GetTweets.Search;

/// <summary>An X API request that returned an error status other than a rate limit.</summary>
internal class XApiRequestException(HttpStatusCode statusCode, string detail, string message) : Exception(message)
{
    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The API's explanation from the response body, with the bearer token removed.</summary>
    public string Detail { get; } = detail;

    /// <summary>True for statuses that may pass on their own: 5xx and 408.</summary>
    public bool IsTransient => (int)StatusCode >= 500 || StatusCode == HttpStatusCode.RequestTimeout;
}

/// <summary>The X API rejected the bearer token (HTTP 401 or 403): the collector cannot go on until the setting is fixed.</summary>
internal sealed class XApiAuthorizationException(HttpStatusCode statusCode, string detail)
    : XApiRequestException(
        statusCode,
        detail,
        $"The X API rejected the bearer token with HTTP {(int)statusCode} {statusCode} ({detail}). Set X__BearerToken, or X__BearerTokenFile, to a valid app-only bearer token of a project with access to the endpoint the collector reads.");
