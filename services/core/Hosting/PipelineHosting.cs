using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Core.Queue;
using Polly.Registry;
using Polly.Timeout;

namespace Pipeline.Core.Hosting;

/// <summary>The hosting set-up every service shares: logging, clock, database, resilience, queue.</summary>
public static class PipelineHosting
{
    /// <summary>Exit code of a service that gave up: invalid configuration or a dependency that stayed unreachable.</summary>
    public const int FatalExitCode = 1;

    /// <summary>
    /// Adds console logging (one line per entry, or JSON when <c>Logging:Format</c> is <c>json</c>),
    /// <see cref="TimeProvider.System"/>, an <see cref="NpgsqlDataSource"/> from
    /// <c>ConnectionStrings:Postgres</c>, the named resilience pipelines, the <c>Hosting</c> settings,
    /// the host's Prometheus registry, the collector's metrics and the status queries.
    /// </summary>
    public static IHostApplicationBuilder AddPipelineDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        // Compose gives 10 s between SIGTERM and SIGKILL; stop well inside it.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(7));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services =>
        {
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new OptionsValidationException("ConnectionStrings:Postgres", typeof(NpgsqlDataSource),
                    ["ConnectionStrings:Postgres is missing: set the environment variable ConnectionStrings__Postgres to an Npgsql connection string."]);
            }

            var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString);
            dataSourceBuilder.UseLoggerFactory(services.GetRequiredService<ILoggerFactory>());
            return dataSourceBuilder.Build();
        });
        builder.Services.AddPipelineResilience();

        builder.Services.AddOptions<HostingOptions>()
            .Bind(builder.Configuration.GetSection(HostingOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HostingOptions>, HostingOptionsValidator>();
        builder.Services.AddSingleton<PipelineMetrics>();
        builder.Services.AddSingleton<CollectorMetrics>();
        builder.Services.AddSingleton<StatusQueries>();
        return builder;
    }

    /// <summary>Applies the embedded migrations of <paramref name="component"/> before the host starts its services, waiting for the database if needed.</summary>
    public static IHostApplicationBuilder AddMigrations(this IHostApplicationBuilder builder, string component, Assembly assembly)
    {
        builder.Services.AddSingleton<IHostedService>(services => new MigrationService(
            services.GetRequiredService<NpgsqlDataSource>(),
            services.GetRequiredService<ResiliencePipelineProvider<string>>(),
            assembly,
            component,
            services.GetRequiredService<IOptions<HostingOptions>>().Value.StartupTimeout,
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Migrations))));
        return builder;
    }

    /// <summary>
    /// Adds the queue's migrations and a <see cref="QueueConsumer"/> that feeds batches to
    /// <typeparamref name="THandler"/>, with its metrics, its lag readings and its health check.
    /// </summary>
    public static IHostApplicationBuilder AddQueueConsumer<THandler>(this IHostApplicationBuilder builder)
        where THandler : class, IQueueHandler
    {
        builder.AddQueueClient();
        builder.Services.AddOptions<QueueConsumerOptions>()
            .Bind(builder.Configuration.GetSection(QueueConsumerOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<QueueConsumerOptions>, QueueConsumerOptionsValidator>();
        builder.Services.AddSingleton<QueueNotifications>();
        builder.Services.AddSingleton<IQueueHandler, THandler>();
        builder.Services.AddSingleton<QueueConsumer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<QueueConsumer>());

        builder.Services.AddSingleton<QueueMetrics>();
        builder.Services.AddHostedService<QueueLagMonitor>();
        builder.Services.AddSingleton<QueueConsumerHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<QueueConsumerHealthCheck>(QueueConsumerHealthCheck.Name);
        return builder;
    }

    /// <summary>Adds the queue's migrations and a <see cref="QueueClient"/>, for services that enqueue.</summary>
    public static IHostApplicationBuilder AddQueueClient(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(QueueClient)))
        {
            return builder;
        }

        builder.AddMigrations("queue", typeof(QueueClient).Assembly);
        builder.Services.AddSingleton<QueueClient>();
        return builder;
    }

    /// <summary>
    /// Runs the host and returns the process exit code: 0 after a normal stop,
    /// <see cref="FatalExitCode"/> when start-up or a background service failed, so that
    /// <c>restart: on-failure</c> and orchestrators restart the service.
    /// </summary>
    public static async Task<int> RunServiceAsync(this IHost host, string serviceName)
    {
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(serviceName);

        List<BackgroundService> workers;
        try
        {
            // RunAsync disposes the host and its service provider, so the workers are looked up
            // first. Creating them can already fail on invalid options, which is a fatal error too.
            workers = [.. host.Services.GetServices<IHostedService>().OfType<BackgroundService>()];
            await host.RunAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HostingLog.FatalError(logger, serviceName, FatalExitCode, ex);

            // The console logger writes from a queue. A failure before RunAsync leaves the host
            // undisposed, and the process could exit before the queue reaches the console, so the
            // error line was sometimes missing. Disposing the host flushes the queue; a second
            // dispose after RunAsync does nothing.
            await DisposeAsync(host);
            return FatalExitCode;
        }

        var failed = workers.Any(service => service.ExecuteTask is { IsFaulted: true });
        if (failed)
        {
            HostingLog.BackgroundServiceFailed(logger, serviceName, FatalExitCode);
            return FatalExitCode;
        }

        return 0;
    }

    private static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    private sealed class MigrationService(
        NpgsqlDataSource dataSource,
        ResiliencePipelineProvider<string> pipelines,
        Assembly assembly,
        string component,
        TimeSpan startupTimeout,
        ILogger logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            Exception? lastError = null;
            int applied;
            try
            {
                applied = await pipelines.GetPipeline(ResiliencePipelines.Startup).ExecuteAsync(
                    async token =>
                    {
                        try
                        {
                            return await Migrations.ApplyAsync(dataSource, assembly, component, logger, token);
                        }
                        catch (Exception ex) when (Transient.IsTransient(ex))
                        {
                            if (lastError is null)
                            {
                                HostingLog.WaitingForDatabase(logger, ex.Message, startupTimeout);
                            }

                            lastError = ex;
                            throw;
                        }
                    },
                    cancellationToken);
            }
            catch (TimeoutRejectedException ex)
            {
                throw new TimeoutException(
                    $"PostgreSQL stayed unreachable for {startupTimeout} (Hosting:StartupTimeout), so the {component} migrations did not run. Last error: {lastError?.Message ?? ex.Message}",
                    lastError ?? ex);
            }

            HostingLog.SchemaReady(logger, component, applied);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class QueueConsumerOptionsValidator : IValidateOptions<QueueConsumerOptions>
    {
        public ValidateOptionsResult Validate(string? name, QueueConsumerOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
