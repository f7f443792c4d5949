using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Slackbot.Webhook;

namespace Pipeline.Slackbot;

/// <summary>The service registrations of the Slack bot, one extension per concern.</summary>
internal static class SlackbotHosting
{
    /// <summary>The queue subscription used unless <c>Queue:Subscription</c> is set.</summary>
    public const string DefaultSubscription = "slackbot";

    /// <summary>
    /// The batch size used unless <c>Queue:BatchSize</c> is set. Posting takes at least a second
    /// per matching tweet, so small batches keep each claim short.
    /// </summary>
    public const int DefaultBatchSize = 20;

    /// <summary>The time the consumer may go without finishing a claim before <c>/healthz</c> reports it, unless <c>Hosting:ProgressTimeout</c> is set.</summary>
    public static readonly TimeSpan DefaultProgressTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Adds the validated <see cref="SlackOptions"/>, the webhook URL, the rate limiter, the
    /// HTTP client without request logging (it would print the URL, whose path is the secret),
    /// the retry pipeline and the <see cref="SlackWebhookClient"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSlackWebhook(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SlackOptions>()
            .Bind(builder.Configuration.GetSection(SlackOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<SlackOptions>, SlackOptionsNormalizer>();
        services.AddSingleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>();

        services.AddSingleton<SlackWebhookUrl>();
        services.AddSingleton<PostRateLimiter>();
        services.AddHttpClient(SlackWebhookClient.HttpClientName, client =>
            {
                // SlackOptions.RequestTimeout bounds each attempt instead, on the injected clock.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = 64 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect would carry the message somewhere the webhook URL does not name.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .RemoveAllLoggers();
        services.AddWebhookResilience();
        services.AddSingleton<SlackWebhookClient>();
        services.AddHealthChecks().AddCheck<SlackWebhookHealthCheck>(SlackWebhookHealthCheck.Name);
        return builder;
    }

    /// <summary>
    /// Applies the <c>slackbot</c> migrations, and adds the rules, the store, the digest and the
    /// queue consumer that feeds batches to <see cref="SlackbotHandler"/>. The subscription is
    /// <see cref="DefaultSubscription"/> and starts at <see cref="SubscriptionStart.Now"/>, because
    /// posting the whole backlog to a channel is rarely wanted. <c>Queue__Subscription</c>,
    /// <c>Queue__Start</c> and <c>Queue__BatchSize</c> override these defaults. Call it after
    /// <see cref="AddSlackWebhook"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSlackbot(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        // The hosted services start in registration order: the tables exist before the consumer runs.
        builder.AddMigrations("slackbot", typeof(PostedStore).Assembly);
        services.AddSingleton<PostedStore>();
        services.AddSingleton<TweetRules>();
        services.AddHostedService<StartupLog>();
        services.AddHostedService<DigestWorker>();

        // Registered before AddQueueConsumer binds the Queue section, which then overrides it.
        services.Configure<QueueConsumerOptions>(options =>
        {
            options.Subscription = DefaultSubscription;
            options.Start = SubscriptionStart.Now;
            options.BatchSize = DefaultBatchSize;
        });
        builder.AddQueueConsumer<SlackbotHandler>();

        // A batch takes a second per matching tweet, and longer when Slack sends Retry-After,
        // so the consumer's health check allows more time between claims unless configured.
        services.PostConfigure<HostingOptions>(options => options.ProgressTimeout ??= DefaultProgressTimeout);
        return builder;
    }

    /// <summary>Logs what the bot posts and where (the webhook's host only) once the host has started.</summary>
    private sealed class StartupLog(
        TweetRules rules,
        SlackWebhookUrl webhookUrl,
        IOptions<SlackOptions> options,
        ILogger<SlackbotHandler> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var settings = options.Value;
            var digest = settings.HasDigest
                ? $"top {settings.DigestSize} tweets every {settings.DigestInterval}"
                : "off";
            Log.Started(logger, webhookUrl.Host, rules.Describe(), digest);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
