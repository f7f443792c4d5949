using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.Core.Hosting;

/// <summary>
/// Serves <c>GET /healthz</c> and <c>GET /metrics</c> with Kestrel on <see cref="HostingOptions.HttpPort"/>,
/// on every interface so that Prometheus on the compose network can scrape it. It runs as a small
/// web application of its own inside the service's host, so services keep their generic host. It
/// starts before the other hosted services, so it responds while start-up still waits for the
/// database, and it stops after them.
/// </summary>
public sealed class OperationsEndpoint(
    IServiceProvider services,
    PipelineMetrics metrics,
    IOptions<HostingOptions> options,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger logger = loggerFactory.CreateLogger<OperationsEndpoint>();
    private readonly Lock gate = new();
    private WebApplication? app;
    private HealthStatus? lastStatus;

    /// <summary>The port the server listens on, known once it started (useful with port 0).</summary>
    public int Port { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.HttpPort;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.ListenAnyIP(port));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(loggerFactory);

        // The service's own host handles SIGTERM and stops this application.
        builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();

        app = builder.Build();
        app.MapGet("/healthz", WriteHealthAsync);
        app.MapGet("/metrics", WriteMetricsAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Port = address is null ? port : new Uri(address).Port;
        HostingLog.EndpointStarted(logger, Port);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    private async Task WriteHealthAsync(HttpContext context)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(context.RequestAborted);
        LogChange(report);

        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(context.Response.Body, StatusReport.JsonOptions);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString());
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status.ToString());
            writer.WriteString("description", entry.Description);
            writer.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private async Task WriteMetricsAsync(HttpContext context)
    {
        context.Response.ContentType = PipelineMetrics.TextContentType;
        context.Response.Headers.CacheControl = "no-store";
        await metrics.WriteTextAsync(context.Response.Body, context.RequestAborted);
    }

    // The health check library would log every unhealthy probe; a change of state is what matters.
    private void LogChange(HealthReport report)
    {
        lock (gate)
        {
            if (report.Status == lastStatus)
            {
                return;
            }

            lastStatus = report.Status;
        }

        if (report.Status == HealthStatus.Healthy)
        {
            HostingLog.BecameHealthy(logger);
            return;
        }

        var failing = report.Entries
            .Where(entry => entry.Value.Status != HealthStatus.Healthy)
            .Select(entry => $"{entry.Key}: {entry.Value.Description}");
        HostingLog.BecameUnhealthy(logger, report.Status, string.Join(" ", failing));
    }

    private sealed class OwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
