using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Pipeline.Core.Hosting;

/// <summary>The named Polly pipelines every service uses, registered once in DI.</summary>
public static class ResiliencePipelines
{
    /// <summary>Retries one database call a few times over about 10 seconds.</summary>
    public const string Postgres = "postgres";

    /// <summary>
    /// Waits for a database at start-up for <c>Hosting:StartupTimeout</c> in all (2 minutes by
    /// default), so services outlive a cold start of the stack, and then gives up.
    /// </summary>
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

        services.AddResiliencePipeline(Startup, (builder, context) =>
        {
            // Bounded by time rather than by a count of attempts, because one attempt can take
            // from milliseconds (connection refused) to the connect timeout (an address that drops packets).
            var timeout = context.ServiceProvider.GetService<IOptions<HostingOptions>>()?.Value.StartupTimeout
                ?? HostingOptions.DefaultStartupTimeout;
            builder.AddTimeout(timeout);
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(Transient.IsTransient),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(5),
            });
        });

        return services;
    }
}
