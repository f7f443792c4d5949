using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;

namespace Pipeline.Core.Hosting;

/// <summary>The named Polly pipelines every service uses, registered once in DI.</summary>
public static class ResiliencePipelines
{
    /// <summary>Retries one database call a few times over about 10 seconds.</summary>
    public const string Postgres = "postgres";

    /// <summary>Waits for a database at start-up for about 2 minutes, so services outlive a cold start of the stack.</summary>
    public const string Startup = "startup";

    /// <summary>Registers <see cref="Postgres"/> and <see cref="Startup"/>.</summary>
    public static IServiceCollection AddPipelineResilience(this IServiceCollection services)
    {
        services.AddResiliencePipeline(Postgres, builder => builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(Transient.IsTransient),
            MaxRetryAttempts = 5,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(5),
        }));

        services.AddResiliencePipeline(Startup, builder => builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(Transient.IsTransient),
            MaxRetryAttempts = 30,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(5),
        }));

        return services;
    }
}
