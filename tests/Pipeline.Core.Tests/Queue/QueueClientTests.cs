using Npgsql;
using Pipeline.Core.Queue;
using Pipeline.Testing;

namespace Pipeline.Core.Tests.Queue;

[Collection(UsesPostgres.Name)]
public sealed class QueueClientTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RetryPolicy ThreeAttempts = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscribe_Oldest_ReceivesEarlierMessages()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.EnqueueAsync(5);

        Assert.True(await db.Client.SubscribeAsync("late", SubscriptionStart.Oldest, Token));
        var batch = await db.Client.ClaimAsync("late", "c1", 100, Lease, Token);

        Assert.NotNull(batch);
        Assert.Equal(["1", "2", "3", "4", "5"], batch.Messages.Select(m => m.Key));
    }

    [Fact]
    public async Task Subscribe_Now_SkipsEarlierMessages()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.EnqueueAsync(5);

        await db.Client.SubscribeAsync("fresh", SubscriptionStart.Now, Token);
        Assert.Null(await db.Client.ClaimAsync("fresh", "c1", 100, Lease, Token));

        await db.EnqueueAsync(1, firstKey: 6);
        var batch = await db.Client.ClaimAsync("fresh", "c1", 100, Lease, Token);
        Assert.Equal(["6"], batch!.Messages.Select(m => m.Key));
    }

    [Fact]
    public async Task Subscribe_Twice_KeepsCursor()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(3);
        var batch = await db.Client.ClaimAsync("writer", "c1", 100, Lease, Token);
        await db.Client.AckAsync(batch!, [], ThreeAttempts, Token);

        Assert.False(await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token));
        Assert.Null(await db.Client.ClaimAsync("writer", "c1", 100, Lease, Token));
    }

    [Fact]
    public async Task Claim_UnknownSubscription_Throws()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);

        var error = await Assert.ThrowsAsync<PostgresException>(() => db.Client.ClaimAsync("missing", "c1", 10, Lease, Token));

        Assert.Contains("missing", error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FanOut_TwoSubscriptions_EachReceiveEveryMessage()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("postgres-writer", SubscriptionStart.Oldest, Token);
        await db.Client.SubscribeAsync("mongo-writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(250);

        var first = await DrainAsync(db, "postgres-writer", 100);
        var second = await DrainAsync(db, "mongo-writer", 100);

        Assert.Equal(Enumerable.Range(1, 250).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), first);
        Assert.Equal(first, second);
        Assert.Equal(250L, await db.ScalarAsync<long>("select count(*) from queue.messages"));
    }

    [Fact]
    public async Task Claim_RespectsBatchSize()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(25);

        var first = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);
        var second = await db.Client.ClaimAsync("writer", "c2", 10, Lease, Token);
        var third = await db.Client.ClaimAsync("writer", "c3", 10, Lease, Token);

        Assert.Equal(10, first!.Messages.Count);
        Assert.Equal(10, second!.Messages.Count);
        Assert.Equal(5, third!.Messages.Count);
        Assert.Empty(first.Messages.Select(m => m.Id).Intersect(second.Messages.Select(m => m.Id)));
    }

    [Fact]
    public async Task Claim_ConcurrentConsumers_NeverShareAMessage()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(2000);

        var deliveries = new System.Collections.Concurrent.ConcurrentBag<long>();
        var consumers = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            while (await db.Client.ClaimAsync("writer", $"c{c}", 37, Lease, Token) is { } batch)
            {
                foreach (var message in batch.Messages)
                {
                    deliveries.Add(message.Id);
                }

                Assert.True(await db.Client.AckAsync(batch, [], ThreeAttempts, Token));
            }
        }, Token));
        await Task.WhenAll(consumers);

        Assert.Equal(2000, deliveries.Count);
        Assert.Equal(2000, deliveries.Distinct().Count());
    }

    [Fact]
    public async Task Claim_ExpiredLease_RedeliversToNextConsumer()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(3);
        var crashed = await db.Client.ClaimAsync("writer", "crashed", 10, Lease, Token);

        db.Clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Null(await db.Client.ClaimAsync("writer", "survivor", 10, Lease, Token));

        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var redelivered = await db.Client.ClaimAsync("writer", "survivor", 10, Lease, Token);

        Assert.Equal(crashed!.Messages.Select(m => m.Id), redelivered!.Messages.Select(m => m.Id));
        Assert.Equal(2, redelivered.Deliveries);
        Assert.False(await db.Client.AckAsync(crashed, [], ThreeAttempts, Token));
        Assert.True(await db.Client.AckAsync(redelivered, [], ThreeAttempts, Token));
    }

    [Fact]
    public async Task Renew_BeforeExpiry_KeepsClaim()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(3);
        var batch = await db.Client.ClaimAsync("writer", "slow", 10, Lease, Token);

        db.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await db.Client.RenewAsync(batch!, Lease, Token));
        db.Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Null(await db.Client.ClaimAsync("writer", "other", 10, Lease, Token));
        Assert.True(await db.Client.AckAsync(batch!, [], ThreeAttempts, Token));
    }

    [Fact]
    public async Task Release_WithDelay_RedeliversAfterDelay()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(2);
        var batch = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);

        Assert.True(await db.Client.ReleaseAsync(batch!, TimeSpan.FromSeconds(5), Token));
        Assert.Null(await db.Client.ClaimAsync("writer", "c2", 10, Lease, Token));
        db.Clock.Advance(TimeSpan.FromSeconds(5));

        var again = await db.Client.ClaimAsync("writer", "c2", 10, Lease, Token);
        Assert.Equal(batch!.Messages.Select(m => m.Id), again!.Messages.Select(m => m.Id));
    }

    [Fact]
    public async Task Ack_MessageEnqueuedDuringProcessing_IsDeliveredLater()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(3);
        var batch = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);

        await db.EnqueueAsync(1, firstKey: 4);
        await db.Client.AckAsync(batch!, [], ThreeAttempts, Token);
        var next = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);

        Assert.Equal(["4"], next!.Messages.Select(m => m.Key));
    }

    [Fact]
    public async Task Ack_FailedMessage_RetriedAfterBackoffAlone()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(5);
        var batch = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);
        var poison = batch!.Messages[2];

        await db.Client.AckAsync(batch, [new MessageFailure(poison.Id, "invalid created_at")], ThreeAttempts, Token);
        Assert.Null(await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token));

        // The first retry waits between half and all of the 10 s base.
        db.Clock.Advance(TimeSpan.FromSeconds(10));
        var retry = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);

        Assert.Equal([poison.Id], retry!.Messages.Select(m => m.Id));
        Assert.Equal(2, retry.Messages[0].Attempt);
    }

    [Fact]
    public async Task Ack_LastAttemptFails_MovesToDeadLetters()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(3);
        var batch = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);
        var poison = batch!.Messages[1];
        await db.Client.AckAsync(batch, [new MessageFailure(poison.Id, "attempt 1")], ThreeAttempts, Token);

        for (var attempt = 2; attempt <= 3; attempt++)
        {
            db.Clock.Advance(TimeSpan.FromMinutes(5));
            var retry = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);
            Assert.Equal(attempt, retry!.Messages.Single().Attempt);
            await db.Client.AckAsync(retry, [new MessageFailure(poison.Id, $"attempt {attempt}")], ThreeAttempts, Token);
        }

        db.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from queue.retries"));
        Assert.Equal(3, await db.ScalarAsync<int>($"select attempts from queue.dead_letters where message_id = {poison.Id}"));
        Assert.Equal("attempt 3", await db.ScalarAsync<string>($"select error from queue.dead_letters where message_id = {poison.Id}"));
        Assert.Equal(poison.Payload, await db.ScalarAsync<string>($"select payload::text from queue.dead_letters where message_id = {poison.Id}"));
    }

    [Fact]
    public async Task RequeueDeadLetters_DeliversThemAgain()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(2);
        var batch = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);
        var poison = batch!.Messages[0];
        await db.Client.AckAsync(batch, [new MessageFailure(poison.Id, "bad")], new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), Token);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from queue.dead_letters"));

        Assert.Equal(1L, await db.ScalarAsync<long>($"select queue.requeue_dead_letters('writer', null, '{db.Clock.GetUtcNow():O}')"));
        var again = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);

        Assert.Equal([poison.Id], again!.Messages.Select(m => m.Id));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from queue.dead_letters"));
    }

    [Fact]
    public async Task Enqueue_OneCall_SendsOneNotification()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await using var listener = await db.DataSource.OpenConnectionAsync(Token);
        var notifications = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref notifications);
        await using (var listen = new NpgsqlCommand("listen queue_messages", listener))
        {
            await listen.ExecuteNonQueryAsync(Token);
        }

        await db.EnqueueAsync(100);
        await using (var ping = new NpgsqlCommand("select 1", listener))
        {
            // A round trip on the listening connection delivers notifications that arrived before it.
            await ping.ExecuteNonQueryAsync(Token);
        }

        Assert.Equal(1, notifications);
    }

    [Fact]
    public async Task Enqueue_NullCharacterEscape_IsAccepted()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);

        await db.Client.EnqueueAsync([new OutgoingMessage("1", """{"text":"a\u0000b"}""")], Token);
        var batch = await db.Client.ClaimAsync("writer", "c1", 10, Lease, Token);

        Assert.Equal("""{"text":"a\u0000b"}""", batch!.Messages[0].Payload);
    }

    [Fact]
    public async Task Reclaim_AllSubscriptionsPassed_DropsOldPartitions()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.UsePartitionSizeAsync(10);
        await db.Client.SubscribeAsync("fast", SubscriptionStart.Oldest, Token);
        await db.Client.SubscribeAsync("slow", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(35);

        await DrainAsync(db, "fast", 100);
        Assert.Equal(0, await db.Client.ReclaimAsync(Token));
        var blocking = Assert.Single(await db.Client.FindBlockingSubscriptionsAsync(Token));
        Assert.Equal("slow", blocking.Subscription);

        await DrainAsync(db, "slow", 100);
        Assert.Equal(3, await db.Client.ReclaimAsync(Token));
        Assert.Equal(6L, await db.ScalarAsync<long>("select count(*) from queue.messages"));
        Assert.Empty(await db.Client.FindBlockingSubscriptionsAsync(Token));
    }

    [Fact]
    public async Task Reclaim_PendingRetry_KeepsItsPartition()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.UsePartitionSizeAsync(10);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(25);
        var first = await db.Client.ClaimAsync("writer", "c1", 5, Lease, Token);
        await db.Client.AckAsync(first!, [new MessageFailure(first!.Messages[0].Id, "bad")], ThreeAttempts, Token);
        await DrainAsync(db, "writer", 100);

        Assert.Equal(0, await db.Client.ReclaimAsync(Token));

        db.Clock.Advance(TimeSpan.FromMinutes(1));
        await DrainAsync(db, "writer", 100);
        Assert.Equal(2, await db.Client.ReclaimAsync(Token));
    }

    [Fact]
    public async Task Enqueue_PastPartitionBound_CreatesPartition()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);
        await db.UsePartitionSizeAsync(10);

        await db.EnqueueAsync(25);

        Assert.Equal(25L, await db.ScalarAsync<long>("select count(*) from queue.messages"));
        Assert.Equal(3L, await db.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'queue.messages'::regclass"));
    }

    private static async Task<List<string>> DrainAsync(QueueDatabase db, string subscription, int batchSize)
    {
        var keys = new List<string>();
        while (await db.Client.ClaimAsync(subscription, "drain", batchSize, Lease, Token) is { } batch)
        {
            keys.AddRange(batch.Messages.Select(m => m.Key!));
            await db.Client.AckAsync(batch, [], ThreeAttempts, Token);
        }

        return keys;
    }
}
