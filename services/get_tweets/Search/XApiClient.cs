using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Polly;
using Polly.Registry;

namespace Pipeline.GetTweets.Search;

/// <summary>
/// A thin X API v2 client over <see cref="HttpClient"/>. It sends the bearer token, retries 5xx
/// responses and timeouts through the <see cref="PipelineName"/> Polly pipeline, and keeps to the
/// rate limit: when the last response left no requests in the window, or a request gets HTTP 429,
/// it waits until the time in <c>x-rate-limit-reset</c>, or without that header backs off from
/// 60 seconds, doubling up to 15 minutes. A 429 that reports the monthly post cap used up is not
/// a rate limit: <see cref="UsageCap"/> waits for the next cap period instead.
/// </summary>
internal sealed class XApiClient(
    IHttpClientFactory httpClientFactory,
    XApiCredentials credentials,
    ResiliencePipelineProvider<string> pipelines,
    UsageCap usageCap,
    IOptions<XApiOptions> options,
    CollectorMetrics metrics,
    TimeProvider timeProvider,
    ILogger<XApiClient> logger)
{
    /// <summary>The name of the <see cref="HttpClient"/> configured with the base address.</summary>
    public const string HttpClientName = "x-api";

    /// <summary>The name of the <see cref="HttpClient"/> for streams, which closes a dropped connection instead of draining it.</summary>
    public const string StreamHttpClientName = "x-api-stream";

    /// <summary>The name of the resilience pipeline for one request.</summary>
    public const string PipelineName = "x-api";

    /// <summary>The first wait after a 429 without a reset header.</summary>
    public static readonly TimeSpan RateLimitBackoffStart = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait after repeated 429s without a reset header: one rate-limit window.</summary>
    public static readonly TimeSpan RateLimitBackoffMax = TimeSpan.FromMinutes(15);

    // x-rate-limit-reset has whole seconds and the two clocks differ a little; one second more avoids an early retry.
    private static readonly TimeSpan ResetMargin = TimeSpan.FromSeconds(1);

    private readonly ResiliencePipeline<HttpResponseMessage> pipeline = pipelines.GetPipeline<HttpResponseMessage>(PipelineName);
    private int? remaining;
    private DateTimeOffset? resetAt;
    private long? lastExchangeEndedAt;

    /// <summary>
    /// Sends a GET request and returns the response body. Throws <see cref="XApiAuthorizationException"/>
    /// on 401 and 403, <see cref="XApiRequestException"/> on other error statuses (5xx after the retries),
    /// and <see cref="HttpRequestException"/> or a Polly timeout when the API stayed unreachable.
    /// </summary>
    public Task<string> GetAsync(string relativeUri, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, relativeUri, jsonBody: null, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Sends a GET request as <see cref="GetAsync(string, CancellationToken)"/> does, but starts each
    /// attempt, retries included, at least <paramref name="minimumInterval"/> after the previous exchange ended.
    /// </summary>
    public Task<string> GetAsync(string relativeUri, TimeSpan minimumInterval, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, relativeUri, jsonBody: null, minimumInterval, cancellationToken);

    /// <summary>Sends a POST request with a JSON body and returns the response body; it fails as <see cref="GetAsync(string, CancellationToken)"/> does.</summary>
    public Task<string> PostAsync(string relativeUri, string jsonBody, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, relativeUri, jsonBody, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Opens a streaming GET request and returns the response once its headers have arrived; the
    /// caller reads and disposes it. Nothing is retried here, because a stream reconnects by its own
    /// backoff rules, except a usage-cap 429, which waits for the next cap period. Throws
    /// <see cref="XApiAuthorizationException"/> on 401 and 403, <see cref="XApiRequestException"/> on
    /// other error statuses, and <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>
    /// when no response headers arrived within <see cref="XApiOptions.RequestTimeout"/>.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string relativeUri, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await SendStreamRequestAsync(relativeUri, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                usageCap.Reset();
                return response;
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && UsageCap.IsExceeded(body))
                {
                    await usageCap.WaitAsync(credentials.Redact(ErrorDetail(body)), cancellationToken);
                    continue;
                }

                throw Failure(relativeUri, response.StatusCode, body);
            }
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string relativeUri, string? jsonBody, TimeSpan minimumInterval, CancellationToken cancellationToken)
    {
        var rateLimitedResponses = 0;
        while (true)
        {
            if (remaining == 0 && resetAt is { } reset && reset > timeProvider.GetUtcNow())
            {
                await WaitAsync("no requests left in the current window", reset + ResetMargin - timeProvider.GetUtcNow(), cancellationToken);
            }

            using var response = await pipeline.ExecuteAsync(
                async token => await SendOnceAsync(method, relativeUri, jsonBody, minimumInterval, token),
                cancellationToken);
            ReadRateLimit(response);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && UsageCap.IsExceeded(body))
            {
                await usageCap.WaitAsync(credentials.Redact(ErrorDetail(body)), cancellationToken);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rateLimitedResponses++;
                await WaitAsync("HTTP 429 Too Many Requests", RateLimitWait(rateLimitedResponses), cancellationToken);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                usageCap.Reset();
                return body;
            }

            throw Failure(relativeUri, response.StatusCode, body);
        }
    }

    private XApiRequestException Failure(string relativeUri, HttpStatusCode statusCode, string body)
    {
        var detail = credentials.Redact(ErrorDetail(body));
        if (statusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return new XApiAuthorizationException(statusCode, detail);
        }

        return new XApiRequestException(
            statusCode,
            detail,
            $"The X API request {PathOf(relativeUri)} failed with HTTP {(int)statusCode} {statusCode}: {detail}");
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string relativeUri, string? jsonBody, TimeSpan minimumInterval, CancellationToken cancellationToken)
    {
        if (minimumInterval > TimeSpan.Zero && lastExchangeEndedAt is { } last && timeProvider.GetElapsedTime(last) is var elapsed && elapsed < minimumInterval)
        {
            await Task.Delay(minimumInterval - elapsed, timeProvider, cancellationToken);
        }

        var client = httpClientFactory.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, relativeUri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.BearerToken);
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        finally
        {
            // Counted from the end of the exchange, so that the next request also arrives at least
            // the interval after this one did, however long this one travelled.
            lastExchangeEndedAt = timeProvider.GetTimestamp();
        }
    }

    private async Task<HttpResponseMessage> SendStreamRequestAsync(string relativeUri, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(StreamHttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, relativeUri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.BearerToken);

        // Only the wait for the headers is bounded: the body of a stream never ends on its own.
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The X API sent no response headers for {PathOf(relativeUri)} within {options.Value.RequestTimeout}.");
        }
    }

    private void ReadRateLimit(HttpResponseMessage response)
    {
        remaining = HeaderNumber(response, "x-rate-limit-remaining") is { } left ? (int)Math.Min(left, int.MaxValue) : null;
        resetAt = HeaderNumber(response, "x-rate-limit-reset") is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        metrics.RateLimitRead(remaining, resetAt);
    }

    private TimeSpan RateLimitWait(int rateLimitedResponses)
    {
        var now = timeProvider.GetUtcNow();
        if (resetAt is { } reset && reset > now)
        {
            return reset + ResetMargin - now;
        }

        var doubled = RateLimitBackoffStart * Math.Pow(2, Math.Min(rateLimitedResponses - 1, 10));
        return doubled < RateLimitBackoffMax ? doubled : RateLimitBackoffMax;
    }

    private async Task WaitAsync(string reason, TimeSpan wait, CancellationToken cancellationToken)
    {
        Log.RateLimitWaitStarted(logger, reason, wait, timeProvider.GetUtcNow() + wait);
        metrics.RateLimitWaitStarted(wait);
        await Task.Delay(wait, timeProvider, cancellationToken);
        remaining = null;
        Log.RateLimitWaitEnded(logger);
    }

    private static long? HeaderNumber(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    // The API explains errors as an RFC 7807 problem ('title', 'detail') or in an 'errors' array.
    internal static string ErrorDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var title = StringProperty(root, "title");
                var detail = StringProperty(root, "detail");
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                    && StringProperty(errors[0], "message") is { } message)
                {
                    detail = detail is null ? message : $"{detail} {message}";
                }

                if (title is not null || detail is not null)
                {
                    return string.Join(": ", new[] { title, detail }.Where(s => !string.IsNullOrEmpty(s)));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, such as a proxy's HTML error page: a short excerpt of the body follows.
        }

        var text = body.Trim();
        if (text.Length <= 200)
        {
            return text;
        }

        // Step back before a high surrogate, so the excerpt never ends in half of an emoji.
        var cut = char.IsHighSurrogate(text[199]) ? 199 : 200;
        return text[..cut] + "...";
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    // The path without the query, for messages: the query string repeats the search query and every field list.
    private static string PathOf(string relativeUri)
    {
        var end = relativeUri.IndexOf('?', StringComparison.Ordinal);
        return end < 0 ? relativeUri : relativeUri[..end];
    }
}
