using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Pipeline.Slackbot.Webhook;

/// <summary>
/// The retry pipeline of one webhook post. It retries only what Slack certainly did not take: a
/// 429 (after its <c>Retry-After</c>), a 5xx, or a connection that failed before the request was
/// sent. A timeout is not retried, because the post may have arrived and a retry could post it twice.
/// </summary>
internal static class WebhookResilience
{
    /// <summary>The wait after a 429 that carries no usable <c>Retry-After</c>.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> the bot honours; a longer one is cut to this.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(15);

    /// <summary>The longest wait between retries of a 5xx or a refused connection.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    /// <summary>Registers the <see cref="SlackWebhookClient.PipelineName"/> pipeline, on the injected clock.</summary>
    public static IServiceCollection AddWebhookResilience(this IServiceCollection services)
    {
        services.AddResiliencePipeline<string, HttpResponseMessage>(SlackWebhookClient.PipelineName, (pipeline, context) =>
        {
            var provider = context.ServiceProvider;
            var settings = provider.GetRequiredService<IOptions<SlackOptions>>().Value;
            var rateLimiter = provider.GetRequiredService<PostRateLimiter>();
            var logger = provider.GetRequiredService<ILogger<SlackWebhookClient>>();
            pipeline.TimeProvider = provider.GetRequiredService<TimeProvider>();
            if (settings.MaxRetryAttempts == 0)
            {
                return;
            }

            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome switch
                {
                    { Exception: HttpRequestException exception } => WasNotSent(exception),
                    { Result: { } response } => response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500,
                    _ => false,
                }),
                MaxRetryAttempts = settings.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = MaxBackoff,
                DelayGenerator = arguments => ValueTask.FromResult(
                    arguments.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response
                        ? (TimeSpan?)RetryAfter(response.Headers.RetryAfter, pipeline.TimeProvider.GetUtcNow())
                        : null),
                OnRetry = arguments =>
                {
                    if (arguments.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests })
                    {
                        // Every caller waits, not only this post: the limit is per webhook.
                        rateLimiter.Pause(arguments.RetryDelay);
                        Log.RateLimited(logger, arguments.RetryDelay, arguments.AttemptNumber + 1);
                    }
                    else
                    {
                        var outcome = arguments.Outcome.Exception is HttpRequestException exception
                            ? $"connection failed: {exception.HttpRequestError}"
                            : $"HTTP {(int)arguments.Outcome.Result!.StatusCode}";
                        Log.PostRetrying(logger, outcome, arguments.AttemptNumber + 1, arguments.RetryDelay);
                    }

                    arguments.Outcome.Result?.Dispose();
                    return default;
                },
            });
        });
        return services;
    }

    /// <summary>
    /// Returns true when the request never left the machine: no connection could be made, the
    /// host name did not resolve, or TLS failed. Any other failure may come after Slack received it.
    /// </summary>
    public static bool WasNotSent(HttpRequestException exception) => exception.HttpRequestError
        is HttpRequestError.ConnectionError
        or HttpRequestError.NameResolutionError
        or HttpRequestError.SecureConnectionError
        or HttpRequestError.ProxyTunnelError;

    /// <summary>
    /// Returns the wait that a 429's <c>Retry-After</c> requests, as seconds or as a date, at most
    /// <see cref="MaxRetryAfter"/>; <see cref="DefaultRetryAfter"/> when the header is missing or in the past.
    /// </summary>
    public static TimeSpan RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        var wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => DefaultRetryAfter,
        };

        if (wait <= TimeSpan.Zero)
        {
            return header?.Delta is not null ? TimeSpan.Zero : DefaultRetryAfter;
        }

        return wait < MaxRetryAfter ? wait : MaxRetryAfter;
    }
}
