using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Pipeline.MongoWriter;

/// <summary>The named Polly pipelines of the MongoDB calls, retrying what <see cref="MongoTransient"/> classifies as transient.</summary>
internal static class MongoResilience
{
    /// <summary>Retries one bulk write up to 3 times, waiting 0.5 to 5 seconds between attempts.</summary>
    public const string Write = "mongo";

    /// <summary>Waits up to 2 minutes in all for MongoDB at start-up, so the service outlives a cold start of the stack.</summary>
    public const string Startup = "mongo-startup";

    /// <summary>Registers <see cref="Write"/> and <see cref="Startup"/>.</summary>
    public static IServiceCollection AddMongoResilience(this IServiceCollection services)
    {
        services.AddResiliencePipeline(Write, (builder, context) =>
        {
            var logger = context.ServiceProvider.GetRequiredService<ILogger<MongoTweetStore>>();
            builder.AddRetry(CreateRetry(Write, maxRetryAttempts: 3, logger));
        });

        services.AddResiliencePipeline(Startup, (builder, context) =>
        {
            var logger = context.ServiceProvider.GetRequiredService<ILogger<MongoIndexes>>();

            // The driver waits up to its server selection timeout (30 s by default) in each
            // attempt, so the total is bounded by time rather than by a count of attempts.
            builder.AddTimeout(TimeSpan.FromMinutes(2));
            builder.AddRetry(CreateRetry(Startup, maxRetryAttempts: int.MaxValue, logger));
        });

        return services;
    }

    private static RetryStrategyOptions CreateRetry(string pipeline, int maxRetryAttempts, ILogger logger) => new()
    {
        ShouldHandle = new PredicateBuilder().Handle<Exception>(MongoTransient.IsTransient),
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(5),
        OnRetry = arguments =>
        {
            MongoWriterLog.Retrying(logger, pipeline, arguments.AttemptNumber + 1, arguments.RetryDelay, arguments.Outcome.Exception);
            return ValueTask.CompletedTask;
        },
    };
}
