using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tests.Queue;
using Pipeline.Testing;

namespace Pipeline.Core.Tests.Hosting;

/// <summary>
/// What SIGTERM does to a consumer. SIGTERM stops the host through the console lifetime, and the
/// stop cancels the running batch. The batch is then released, so another consumer receives it at
/// once, long before its 30 s lease would run out.
/// </summary>
[Collection(UsesPostgres.Name)]
public sealed class ShutdownTests(PostgresFixture postgres)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_MidBatch_ReleasesBatchAtOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var handler = new BlockingHandler(honourCancellation: true);
        using var host = BuildHost(connectionString, handler);
        await host.StartAsync(Token);
        await host.Services.GetRequiredService<QueueClient>().EnqueueAsync(Messages(5), Token);
        var inProgress = await handler.Started.Task.WaitAsync(WaitLimit, Token);

        await host.StopAsync(Token);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var other = new QueueClient(dataSource, TimeProvider.System);
        var redelivered = await other.ClaimAsync("writer", "replica-2", 10, Lease, Token);
        Assert.NotNull(redelivered);
        Assert.Equal(inProgress.Select(m => m.Id), redelivered.Messages.Select(m => m.Id));
        Assert.Equal(2, redelivered.Deliveries);
        Assert.False(handler.Finished);
    }

    [Fact]
    public async Task Stop_HandlerFinishesInGrace_AcknowledgesBatch()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var handler = new BlockingHandler(honourCancellation: false);
        using var host = BuildHost(connectionString, handler);
        await host.StartAsync(Token);
        await host.Services.GetRequiredService<QueueClient>().EnqueueAsync(Messages(5), Token);
        await handler.Started.Task.WaitAsync(WaitLimit, Token);

        await host.StopAsync(Token);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var claims = dataSource.CreateCommand("select count(*) from queue.claims");
        Assert.True(handler.Finished);
        Assert.Equal(0L, await claims.ExecuteScalarAsync(Token));
        Assert.Null(await new QueueClient(dataSource, TimeProvider.System).ClaimAsync("writer", "replica-2", 10, Lease, Token));
    }

    private static List<OutgoingMessage> Messages(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new OutgoingMessage(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "{}"))];

    private static IHost BuildHost(string connectionString, BlockingHandler handler)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Queue:Subscription"] = "writer",
        });
        builder.AddPipelineDefaults();
        builder.AddQueueConsumer<BlockingHandler>();

        // The last registration wins, so the consumer receives this instance.
        builder.Services.AddSingleton<IQueueHandler>(handler);
        return builder.Build();
    }

    /// <summary>
    /// Signals when it receives a batch, then works on it until cancelled, or, when it does not
    /// honour cancellation, for a moment past the stop request before it finishes.
    /// </summary>
    private sealed class BlockingHandler(bool honourCancellation) : IQueueHandler
    {
        public TaskCompletionSource<IReadOnlyList<QueueMessage>> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Finished { get; private set; }

        public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            Started.TrySetResult(messages);
            if (honourCancellation)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            else
            {
                await WaitForCancellationAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
            }

            Finished = true;
            return [];
        }

        private static async Task WaitForCancellationAsync(CancellationToken cancellationToken)
        {
            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => cancelled.TrySetResult());
            await cancelled.Task;
        }
    }
}
