using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;

namespace Pipeline.MongoWriter;

/// <summary>
/// The named Polly pipelines of the MongoDB calls, retrying what <see cref="MongoTransient"/>
/// classifies as transient. Polly's telemetry logs each retry with its exception.
/// </summary>
internal static class MongoResilience
{
    /// <summary>Retries one bulk write up to 3 times, with jittered exponential backoff from about 0.5 s up to 5 s.</summary>
    public const string Write = "mongo";

    /// <summary>Waits up to 2 minutes in all for MongoDB at start-up, so the service outlives a cold start of the stack.</summary>
    public const string Startup = "mongo-startup";

    /// <summary>Registers <see cref="Write"/> and <see cref="Startup"/>.</summary>
    public static IServiceCollection AddMongoResilience(this IServiceCollection services)
    {
        services.AddResiliencePipeline(Write, builder => builder.AddRetry(CreateRetry(maxRetryAttempts: 3)));

        services.AddResiliencePipeline(Startup, builder =>
        {
            // The driver waits up to its server selection timeout (30 s by default) in each
            // attempt, so the total is bounded by time rather than by a count of attempts.
            builder.AddTimeout(TimeSpan.FromMinutes(2));
            builder.AddRetry(CreateRetry(maxRetryAttempts: int.MaxValue));
        });

        return services;
    }

    private static RetryStrategyOptions CreateRetry(int maxRetryAttempts) => new()
    {
        ShouldHandle = new PredicateBuilder().Handle<Exception>(MongoTransient.IsTransient),
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(5),
    };
}
