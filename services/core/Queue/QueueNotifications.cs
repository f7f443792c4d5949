using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Core.Queue;

/// <summary>
/// Listens for the queue's <c>queue_messages</c> notification on a connection of its own and
/// wakes waiting consumers. When the connection fails it reconnects with a growing pause; the
/// consumers' polling covers the gap.
/// </summary>
public sealed class QueueNotifications(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<QueueNotifications> logger) : IDisposable
{
    private const string Channel = "queue_messages";
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim signal = new(0, 1);

    /// <summary>Waits until a notification arrives or <paramref name="timeout"/> passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await signal.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed without a notification.
        }
    }

    /// <summary>Runs the listening loop until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task ListenAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"listen {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                delay = TimeSpan.FromSeconds(1);
                Wake();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.IO.IOException)
            {
                QueueLog.ListenFailed(logger, delay, ex);
                await Task.Delay(delay, timeProvider, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => signal.Dispose();

    /// <summary>Wakes one waiting consumer, or the next one to wait.</summary>
    public void Wake()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }
}
