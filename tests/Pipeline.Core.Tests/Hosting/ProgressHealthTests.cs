using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Hosting;

namespace Pipeline.Core.Tests.Hosting;

/// <summary>The collector's liveness: committed pages and planned waits keep it healthy, silence beyond the allowance does not.</summary>
public sealed class ProgressHealthTests
{
    private static readonly TimeSpan Allowance = HostingOptions.DefaultCollectorProgressTimeout;

    [Fact]
    public async Task Collector_NoPageYet_IsUnhealthy()
    {
        var (check, _, _) = Create();

        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync(check));
    }

    [Fact]
    public async Task Collector_RecentPage_IsHealthy()
    {
        var (check, metrics, clock) = Create();
        metrics.PageCommitted("file:/app/sample/brexit.jsonl", 10, 10);

        clock.Advance(Allowance);

        Assert.Equal(HealthStatus.Healthy, await StatusAsync(check));
    }

    [Fact]
    public async Task Collector_SilentPastAllowance_IsUnhealthy()
    {
        var (check, metrics, clock) = Create();
        metrics.PageCommitted("recent_search:#postgres", 10, 10);

        clock.Advance(Allowance + TimeSpan.FromSeconds(1));

        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync(check));
    }

    [Fact]
    public async Task Collector_LongRateLimitWait_StaysHealthy()
    {
        var (check, metrics, clock) = Create();
        metrics.PageCommitted("recent_search:#postgres", 10, 10);
        metrics.RateLimitWaitStarted(TimeSpan.FromMinutes(15));

        clock.Advance(TimeSpan.FromMinutes(15) + Allowance);

        Assert.Equal(HealthStatus.Healthy, await StatusAsync(check));
    }

    [Fact]
    public async Task Collector_PastPlannedWait_IsUnhealthy()
    {
        var (check, metrics, clock) = Create();
        metrics.PageCommitted("recent_search:#postgres", 10, 10);
        metrics.Waiting(TimeSpan.FromMinutes(10));

        clock.Advance(TimeSpan.FromMinutes(10) + Allowance + TimeSpan.FromSeconds(1));

        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync(check));
    }

    [Fact]
    public async Task Collector_ProgressTimeoutSet_UsesIt()
    {
        var (check, metrics, clock) = Create(new HostingOptions { ProgressTimeout = TimeSpan.FromSeconds(30) });
        metrics.PageCommitted("recent_search:#postgres", 10, 10);

        clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync(check));
    }

    private static (CollectorHealthCheck Check, CollectorMetrics Metrics, FakeTimeProvider Clock) Create(HostingOptions? options = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var metrics = new CollectorMetrics(new PipelineMetrics(), clock);
        return (new CollectorHealthCheck(metrics, Options.Create(options ?? new HostingOptions()), clock), metrics, clock);
    }

    private static async Task<HealthStatus> StatusAsync(CollectorHealthCheck check) =>
        (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status;
}
