using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Core.Hosting;

namespace Pipeline.Core.Queue;

/// <summary>
/// Reads this consumer's subscription from <c>queue.subscription_stats</c> every
/// <see cref="Interval"/> and sets the backlog gauges of <see cref="QueueMetrics"/>. A failed
/// reading is logged, rate-limited, and the next one is tried on schedule; it never stops the host.
/// </summary>
public sealed class QueueLagMonitor(
    StatusQueries queries,
    QueueMetrics metrics,
    IOptions<QueueConsumerOptions> options,
    TimeProvider timeProvider,
    ILogger<QueueLagMonitor> logger) : BackgroundService
{
    /// <summary>The time between two readings, about one Prometheus scrape interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private readonly RepeatedErrorThrottle failures = new(timeProvider, TimeSpan.FromMinutes(1));

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscription = options.Value.Subscription;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReadOnceAsync(subscription, stoppingToken);
                await Task.Delay(Interval, timeProvider, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Reads the subscription once and sets the gauges; returns false when the reading failed.</summary>
    internal async Task<bool> ReadOnceAsync(string subscription, CancellationToken cancellationToken)
    {
        try
        {
            // The consumer creates its subscription when it starts; until then there is no row.
            foreach (var status in await queries.ReadSubscriptionsAsync(subscription, cancellationToken))
            {
                metrics.SubscriptionRead(status);
            }

            failures.Reset();
            return true;
        }
        catch (Exception ex) when ((ex is NpgsqlException || Transient.IsTransient(ex)) && !cancellationToken.IsCancellationRequested)
        {
            if (failures.ShouldLog(ex, out var repeats))
            {
                QueueLog.LagReadFailed(logger, subscription, repeats, ex);
            }

            return false;
        }
    }
}
