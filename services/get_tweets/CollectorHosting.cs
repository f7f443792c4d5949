using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.GetTweets.Delivery;
using Pipeline.GetTweets.Replay;
using Pipeline.GetTweets.Search;
using Pipeline.GetTweets.Streaming;
using Pipeline.GetTweets.Synthetic;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.GetTweets;

/// <summary>Registers the collector: its settings, schema, store, sources, X API client and worker.</summary>
internal static class CollectorHosting
{
    /// <summary>Adds everything the collector needs on top of <see cref="PipelineHosting.AddPipelineDefaults"/>.</summary>
    public static IHostApplicationBuilder AddCollector(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CollectorOptions>()
            .Bind(builder.Configuration.GetSection(CollectorOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<CollectorOptions>, CollectorOptionsDefaults>();
        services.AddSingleton<IValidateOptions<CollectorOptions>, CollectorOptionsValidator>();
        services.AddOptions<XApiOptions>()
            .Bind(builder.Configuration.GetSection(XApiOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<XApiOptions>, XApiOptionsValidator>();

        // The hosted services start in this order: both schemas are in place before the worker runs.
        builder.AddQueueClient();
        builder.AddMigrations("collector", typeof(CollectorStore).Assembly);
        builder.AddLeaderLease();

        services.AddSingleton<CollectorStore>();
        services.AddSingleton<FileReplay>();
        services.AddSingleton<SyntheticSource>();
        services.AddXApiClient();
        services.AddSingleton<SearchPoller>();
        services.AddSingleton<StreamRuleSync>();
        services.AddSingleton<StreamBatchWriter>();
        services.AddSingleton<FilteredStream>();
        services.AddHostedService<CollectorWorker>();
        return builder;
    }

    private static void ConfigureXApiClient(IServiceProvider provider, HttpClient client)
    {
        client.BaseAddress = new Uri(provider.GetRequiredService<IOptions<XApiOptions>>().Value.BaseUrl.TrimEnd('/') + "/");

        // The Polly timeout bounds each attempt instead, on the injected clock; a stream has no end.
        client.Timeout = Timeout.InfiniteTimeSpan;
    }

    private static void AddXApiClient(this IServiceCollection services)
    {
        services.AddSingleton<XApiCredentials>();
        services.AddSingleton<UsageCap>();
        services.AddSingleton<XApiClient>();
        services.AddHttpClient(XApiClient.HttpClientName, ConfigureXApiClient);

        // A stream that the collector drops must close at once: the X API allows one connection,
        // and by default the handler would keep the connection to drain the rest of the response.
        services.AddHttpClient(XApiClient.StreamHttpClientName, ConfigureXApiClient)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0 });

        services.AddResiliencePipeline<string, HttpResponseMessage>(XApiClient.PipelineName, (pipeline, context) =>
        {
            var settings = context.ServiceProvider.GetRequiredService<IOptions<XApiOptions>>().Value;
            var logger = context.ServiceProvider.GetRequiredService<ILogger<XApiClient>>();
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => (int)response.StatusCode >= 500),
                MaxRetryAttempts = settings.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = TimeSpan.FromMinutes(1),
                OnRetry = arguments =>
                {
                    var outcome = arguments.Outcome.Exception is { } exception
                        ? exception.GetType().Name + ": " + exception.Message
                        : $"HTTP {(int)arguments.Outcome.Result!.StatusCode} {arguments.Outcome.Result.StatusCode}";
                    arguments.Outcome.Result?.Dispose();
                    Log.RequestRetry(logger, outcome, arguments.AttemptNumber + 1, arguments.RetryDelay);
                    return default;
                },
            });
            pipeline.AddTimeout(settings.RequestTimeout);
        });
    }
}
