using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Pipeline.Slackbot.Webhook;

/// <summary>
/// Posts JSON bodies to the incoming webhook. Requests keep at least
/// <see cref="PostRateLimiter.MinInterval"/> apart; the <see cref="PipelineName"/> Polly pipeline
/// waits out a 429's <c>Retry-After</c> and retries 5xx responses and refused connections with
/// backoff. Once Slack responds that the webhook is gone (401, 403, 404 or 410), the client sends
/// nothing more until the process restarts and returns <see cref="PostOutcome.WebhookDead"/>.
/// </summary>
internal sealed class SlackWebhookClient(
    IHttpClientFactory httpClientFactory,
    SlackWebhookUrl webhookUrl,
    PostRateLimiter rateLimiter,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<SlackOptions> options,
    TimeProvider timeProvider,
    ILogger<SlackWebhookClient> logger)
{
    /// <summary>The name of the <see cref="HttpClient"/> the posts go through; its request logging is off, because it would print the URL.</summary>
    public const string HttpClientName = "slack-webhook";

    /// <summary>The name of the resilience pipeline of one post.</summary>
    public const string PipelineName = "slack-webhook";

    /// <summary>The maximum number of characters of a response body quoted in a log line or error.</summary>
    private const int MaxDetailLength = 200;

    private readonly ResiliencePipeline<HttpResponseMessage> pipeline = pipelines.GetPipeline<HttpResponseMessage>(PipelineName);
    private volatile DeadWebhook? dead;

    /// <summary>Why the webhook no longer accepts posts, or null while it works.</summary>
    public DeadWebhook? Dead => dead;

    /// <summary>
    /// Posts one message and returns what became of it. Throws <see cref="OperationCanceledException"/>
    /// only when <paramref name="cancellationToken"/> ended a wait (for a turn or before a retry),
    /// and then Slack did not take the message. A request already sent is not cancelled, so that
    /// a stopping bot still learns whether its last post arrived; <see cref="SlackOptions.RequestTimeout"/> bounds it.
    /// </summary>
    public async Task<PostResult> PostAsync(string payload, CancellationToken cancellationToken)
    {
        if (dead is { } gone)
        {
            return new PostResult(PostOutcome.WebhookDead, gone.Describe());
        }

        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(async token => await SendAsync(payload, token), cancellationToken);
        }
        catch (HttpRequestException ex) when (WebhookResilience.WasNotSent(ex))
        {
            return new PostResult(PostOutcome.NotDelivered, $"the connection failed before the request was sent ({ex.HttpRequestError}: {webhookUrl.Redact(ex.Message)})");
        }
        catch (SlackOutcomeUnknownException ex)
        {
            return new PostResult(PostOutcome.OutcomeUnknown, ex.Message);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await ReadDetailAsync(response, cancellationToken);
            var detail = $"HTTP {status} {body}".TrimEnd();
            if (response.IsSuccessStatusCode)
            {
                return new PostResult(PostOutcome.Posted, detail);
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
            {
                return new PostResult(PostOutcome.NotDelivered, $"{detail} after {options.Value.MaxRetryAttempts} retries");
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                var failure = new DeadWebhook(status, body.Length > 0 ? body : "(empty body)", webhookUrl.Host);
                dead = failure;
                Log.WebhookDead(logger, failure.Host, failure.StatusCode, failure.SlackError, failure.Meaning);
                return new PostResult(PostOutcome.WebhookDead, failure.Describe());
            }

            return new PostResult(PostOutcome.Rejected, detail);
        }
    }

    private async ValueTask<HttpResponseMessage> SendAsync(string payload, CancellationToken cancellationToken) =>
        await rateLimiter.SendInTurnAsync(() => SendNowAsync(payload), cancellationToken);

    private async Task<HttpResponseMessage> SendNowAsync(string payload)
    {
        // The attempt has a timeout of its own and ignores the stopping token from here on, so a
        // cancellation can only mean the timeout, after which Slack may or may not have the post.
        using var attempt = new CancellationTokenSource(options.Value.RequestTimeout, timeProvider);
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl.Uri) { Content = content };
        var client = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token);
        }
        catch (OperationCanceledException ex) when (attempt.IsCancellationRequested)
        {
            throw new SlackOutcomeUnknownException($"timed out: no response within Slack:RequestTimeout ({options.Value.RequestTimeout})", ex);
        }
        catch (HttpRequestException ex) when (!WebhookResilience.WasNotSent(ex))
        {
            throw new SlackOutcomeUnknownException($"the request failed after it may have been sent ({ex.HttpRequestError}: {webhookUrl.Redact(ex.Message)})", ex);
        }
    }

    /// <summary>Returns the start of the body (Slack responds with a word such as <c>ok</c> or <c>no_service</c>), with the URL redacted.</summary>
    private async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if (body.Length > MaxDetailLength)
        {
            // Step back before a high surrogate, so the cut never leaves half of an emoji in a log line.
            var cut = char.IsHighSurrogate(body[MaxDetailLength - 1]) ? MaxDetailLength - 1 : MaxDetailLength;
            body = body[..cut] + "...";
        }

        return webhookUrl.Redact(body);
    }
}

/// <summary>What became of a post.</summary>
internal enum PostOutcome
{
    /// <summary>Slack responded 2xx: the message is in the channel.</summary>
    Posted,

    /// <summary>Slack rejected this message (HTTP 400 and other 4xx, such as <c>invalid_blocks</c>); another message may pass.</summary>
    Rejected,

    /// <summary>Slack did not take the message: 429 or 5xx after every retry, or a refused connection. Posting later may work.</summary>
    NotDelivered,

    /// <summary>The request may have reached Slack, but no response came (a timeout or a connection lost mid-way).</summary>
    OutcomeUnknown,

    /// <summary>Slack responded that the webhook is gone, so no further message can be posted until the setting is fixed.</summary>
    WebhookDead,
}

/// <summary>The outcome of a post and its detail for logs and errors, which never contains the webhook URL.</summary>
internal sealed record PostResult(PostOutcome Outcome, string Detail);

/// <summary>Slack's response that the webhook no longer accepts posts.</summary>
/// <param name="SlackError">Slack's error code from the response body, such as <c>no_service</c>.</param>
internal sealed record DeadWebhook(int StatusCode, string SlackError, string Host)
{
    /// <summary>What the error code means for the operator.</summary>
    public string Meaning => SlackError switch
    {
        "no_service" => "the webhook was removed or disabled, or the URL is wrong",
        "invalid_token" => "the token in the URL is invalid or was revoked",
        "channel_is_archived" => "the webhook's channel is archived",
        "channel_not_found" => "the webhook's channel no longer exists",
        "action_prohibited" => "an administrator has restricted posting to the channel",
        "no_team" or "team_disabled" => "the workspace was disabled or deleted",
        _ => "Slack no longer accepts posts to this webhook",
    };

    /// <summary>Returns one line naming the status, the error, its meaning and the setting to fix.</summary>
    public string Describe() =>
        $"The webhook on {Host} is dead: HTTP {StatusCode} {SlackError} ({Meaning}). Set Slack__WebhookUrl or Slack__WebhookUrlFile to a working incoming webhook URL and restart the bot.";
}

/// <summary>A post whose request may have reached Slack without a response coming back.</summary>
internal sealed class SlackOutcomeUnknownException(string message, Exception innerException) : Exception(message, innerException);
