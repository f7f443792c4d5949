using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Core.Queue;

namespace Pipeline.Core.Hosting;

/// <summary>
/// Runs one probe of a dependency (a database round trip) at most once per <see cref="CacheDuration"/>
/// and returns the cached result in between, so frequent health probes do not load the database.
/// A probe that throws or takes longer than <see cref="Timeout"/> makes the result unhealthy.
/// </summary>
internal sealed class CachedProbe(string dependency, TimeProvider timeProvider) : IDisposable
{
    /// <summary>How long a result is reused.</summary>
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);

    /// <summary>How long one probe may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim gate = new(1, 1);
    private HealthCheckResult? last;
    private DateTimeOffset lastAt;

    /// <summary>Returns the cached result while it is fresh; otherwise runs <paramref name="probe"/>, with one probe at a time.</summary>
    public async Task<HealthCheckResult> CheckAsync(Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (last is { } cached && timeProvider.GetUtcNow() - lastAt < CacheDuration)
            {
                return cached;
            }

            var result = await RunAsync(probe, cancellationToken);
            last = result;
            lastAt = timeProvider.GetUtcNow();
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private async Task<HealthCheckResult> RunAsync(Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await probe(linked.Token);
            return HealthCheckResult.Healthy($"{dependency} responded.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{dependency} did not respond within {Timeout.TotalSeconds:F0} s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any failure of the probe means the dependency cannot be used, whatever its type.
            return HealthCheckResult.Unhealthy($"{dependency} is unreachable: {ex.Message}", ex);
        }
    }
}

/// <summary>Healthy while PostgreSQL returns the result of <c>select 1</c>.</summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IHealthCheck, IDisposable
{
    public const string Name = "postgres";

    private readonly CachedProbe probe = new("PostgreSQL", timeProvider);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        probe.CheckAsync(
            async token =>
            {
                await using var command = dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(token);
            },
            cancellationToken);

    public void Dispose() => probe.Dispose();
}

/// <summary>Healthy while a probe of a service from DI succeeds, such as a MongoDB <c>ping</c>.</summary>
internal sealed class DependencyHealthCheck<TService>(
    string dependency,
    Func<TService, CancellationToken, Task> check,
    IServiceProvider services,
    TimeProvider timeProvider) : IHealthCheck, IDisposable
    where TService : notnull
{
    private readonly CachedProbe probe = new(dependency, timeProvider);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        probe.CheckAsync(token => check(services.GetRequiredService<TService>(), token), cancellationToken);

    public void Dispose() => probe.Dispose();
}

/// <summary>Healthy while the <see cref="QueueConsumer"/> loop completes claim attempts.</summary>
internal sealed class QueueConsumerHealthCheck(
    QueueConsumer consumer,
    IOptions<QueueConsumerOptions> queueOptions,
    IOptions<HostingOptions> hostingOptions,
    TimeProvider timeProvider) : IHealthCheck
{
    public const string Name = "queue-consumer";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var queue = queueOptions.Value;

        // A loop that waits for work still completes an attempt every poll interval. One lease is
        // added because a batch may take that long before another consumer could take it over.
        var maxSilence = hostingOptions.Value.ProgressTimeout ?? (3 * queue.PollInterval) + queue.LeaseDuration;
        var lastLoopAt = consumer.LastLoopAt == default ? (DateTimeOffset?)null : consumer.LastLoopAt;
        return Task.FromResult(Progress.Evaluate(
            $"The consumer of subscription {queue.Subscription}", lastLoopAt, quietUntil: null, timeProvider.GetUtcNow(), maxSilence));
    }
}

/// <summary>Healthy while the collector commits pages, or waits as planned between polls or for the rate limit.</summary>
internal sealed class CollectorHealthCheck(CollectorMetrics metrics, IOptions<HostingOptions> hostingOptions, TimeProvider timeProvider) : IHealthCheck
{
    public const string Name = "collector";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var maxSilence = hostingOptions.Value.ProgressTimeout ?? HostingOptions.DefaultCollectorProgressTimeout;
        return Task.FromResult(Progress.Evaluate(
            "The collector", metrics.LastProgressAt, metrics.QuietUntil, timeProvider.GetUtcNow(), maxSilence));
    }
}

/// <summary>Decides whether a loop made progress recently enough.</summary>
internal static class Progress
{
    /// <summary>
    /// Returns healthy when <paramref name="now"/> is at most <paramref name="maxSilence"/> past the
    /// later of the last progress and the end of a planned wait, and unhealthy before any of them.
    /// </summary>
    public static HealthCheckResult Evaluate(string subject, DateTimeOffset? lastProgressAt, DateTimeOffset? quietUntil, DateTimeOffset now, TimeSpan maxSilence)
    {
        if (lastProgressAt is null && quietUntil is null)
        {
            return HealthCheckResult.Unhealthy($"{subject} has not made progress since it started.");
        }

        var reference = (lastProgressAt, quietUntil) switch
        {
            ({ } progress, { } waitEnd) => progress > waitEnd ? progress : waitEnd,
            (var progress, var waitEnd) => (progress ?? waitEnd)!.Value,
        };
        var last = lastProgressAt is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : "never";
        var silence = now - reference;
        if (silence <= maxSilence)
        {
            return HealthCheckResult.Healthy(reference > now
                ? $"{subject} last made progress at {last} and waits as planned until {reference:O}."
                : $"{subject} last made progress at {last}.");
        }

        return HealthCheckResult.Unhealthy(
            $"{subject} last made progress at {last}; nothing happened for {silence:c} after that or after its last planned wait, more than the {maxSilence:c} allowed.");
    }
}
