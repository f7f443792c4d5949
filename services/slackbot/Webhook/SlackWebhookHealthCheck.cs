using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Slackbot.Webhook;

/// <summary>
/// Unhealthy once Slack has responded that the webhook is gone, with the setting to fix in the
/// description, because the bot cannot post until the URL is replaced and it restarts. A webhook
/// that is merely slow or rate-limited stays healthy: the bot waits and retries.
/// </summary>
internal sealed class SlackWebhookHealthCheck(SlackWebhookClient webhook) : IHealthCheck
{
    /// <summary>The name of the check in <c>/healthz</c>.</summary>
    public const string Name = "slack-webhook";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(webhook.Dead is { } dead
            ? HealthCheckResult.Unhealthy(dead.Describe())
            : HealthCheckResult.Healthy("Slack has not rejected the webhook."));
}
