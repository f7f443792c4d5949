using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Hosting;

/// <summary>Registers what operators use: the health and metrics endpoint and the health checks behind it.</summary>
public static class OperationsHosting
{
    /// <summary>
    /// Serves <c>GET /healthz</c> and <c>GET /metrics</c> on <c>Hosting:HttpPort</c> (8080 by
    /// default). <c>/healthz</c> checks PostgreSQL here; <c>AddQueueConsumer</c>,
    /// <see cref="AddCollectorHealthCheck"/> and <see cref="AddDependencyCheck"/> add their checks.
    /// Call it right after <see cref="PipelineHosting.AddPipelineDefaults"/>, so the endpoint
    /// starts before the other hosted services and responds while they wait for the database.
    /// </summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(OperationsEndpoint)))
        {
            return builder;
        }

        builder.Services.TryAddSingleton<PostgresHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>(PostgresHealthCheck.Name);
        builder.Services.AddSingleton<OperationsEndpoint>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OperationsEndpoint>());

        // The library logs every unhealthy probe at Error; the endpoint logs changes of state instead.
        // ASP.NET Core logs every request at Information, which for probes every few seconds is noise.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return builder;
    }

    /// <summary>
    /// Adds a health check named <paramref name="name"/> that runs <paramref name="check"/> on a
    /// service from DI, such as a MongoDB ping; it fails when <paramref name="check"/> throws or
    /// takes more than 3 s, and its result is reused for 5 s.
    /// </summary>
    public static IHostApplicationBuilder AddDependencyCheck<TService>(this IHostApplicationBuilder builder, string name, Func<TService, CancellationToken, Task> check)
        where TService : notnull
    {
        builder.Services.AddKeyedSingleton(name, (services, _) => new DependencyHealthCheck<TService>(
            name, check, services, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            services => services.GetRequiredKeyedService<DependencyHealthCheck<TService>>(name),
            failureStatus: null,
            tags: null));
        return builder;
    }

    /// <summary>
    /// Adds a health check that fails when the collector, through <see cref="CollectorMetrics"/>,
    /// reports neither committed pages nor planned waits for longer than <c>Hosting:ProgressTimeout</c>.
    /// </summary>
    public static IHostApplicationBuilder AddCollectorHealthCheck(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(CollectorHealthCheck)))
        {
            return builder;
        }

        builder.Services.AddSingleton<CollectorHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<CollectorHealthCheck>(CollectorHealthCheck.Name);
        return builder;
    }
}
