using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Polly.Registry;

namespace Pipeline.Core.Tests.Queue;

[Collection(UsesPostgres.Name)]
public sealed class QueueConsumerTests(PostgresFixture postgres)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunOnce_PoisonAmongGood_StoresGoodAndRetriesPoison()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.EnqueueAsync(5);
        var handler = new RecordingHandler(poisonKey: "3");
        using var consumer = CreateConsumer(db, handler);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);

        Assert.True(await consumer.RunOnceAsync(Token));

        Assert.Equal(["1", "2", "4", "5"], handler.Stored.Order());
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from queue.retries"));
        Assert.Contains("poison 3", await db.ScalarAsync<string>("select last_error from queue.retries"), StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from queue.claims"));
    }

    [Fact]
    public async Task RunOnce_TransientFailure_ReleasesWholeBatch()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.EnqueueAsync(4);
        var handler = new RecordingHandler(failTransiently: true);
        using var consumer = CreateConsumer(db, handler);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);

        Assert.False(await consumer.RunOnceAsync(Token));

        Assert.Empty(handler.Stored);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from queue.retries"));
        db.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await db.Client.ClaimAsync("writer", "other", 10, TimeSpan.FromSeconds(30), Token);
        Assert.Equal(4, again!.Messages.Count);
        Assert.Equal(2, again.Deliveries);
    }

    private static QueueConsumer CreateConsumer(QueueDatabase db, IQueueHandler handler)
    {
        var services = new ServiceCollection().AddPipelineResilience().BuildServiceProvider();
        var options = Options.Create(new QueueConsumerOptions
        {
            Subscription = "writer",
            BatchSize = 10,
            MaxAttempts = 3,
            RetryBackoffBase = TimeSpan.FromSeconds(10),
        });
        var notifications = new QueueNotifications(db.DataSource, db.Clock, NullLogger<QueueNotifications>.Instance);
        return new QueueConsumer(
            db.Client,
            notifications,
            handler,
            options,
            services.GetRequiredService<ResiliencePipelineProvider<string>>(),
            db.Clock,
            NullLogger<QueueConsumer>.Instance);
    }

    /// <summary>Stores keys in memory; fails on one key as bad content, or on every batch as an outage.</summary>
    private sealed class RecordingHandler(string? poisonKey = null, bool failTransiently = false) : IQueueHandler
    {
        public List<string> Stored { get; } = [];

        public Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            if (failTransiently)
            {
                throw new TimeoutException("database unreachable");
            }

            if (messages.Any(m => m.Key == poisonKey))
            {
                throw new FormatException($"poison {poisonKey}");
            }

            Stored.AddRange(messages.Select(m => m.Key!));
            return Task.FromResult<IReadOnlyList<MessageFailure>>([]);
        }
    }
}
