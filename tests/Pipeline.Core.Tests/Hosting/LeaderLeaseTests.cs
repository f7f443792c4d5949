using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tests.Queue;
using Pipeline.Testing;

namespace Pipeline.Core.Tests.Hosting;

/// <summary>
/// Leader election among collector replicas on a real PostgreSQL, with a fake clock shared by the
/// contenders so that expiry and renewal happen when a test advances time.
/// </summary>
[Collection(UsesPostgres.Name)]
public sealed class LeaderLeaseTests(PostgresFixture postgres)
{
    private const string Key = "recent_search:#postgres";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TryAcquire_TwoContenders_OnlyOneLeads()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        var first = db.Contender("replica-a");
        var second = db.Contender("replica-b");

        var firstHolder = await first.TryAcquireAsync(Key, Token);
        var secondHolder = await second.TryAcquireAsync(Key, Token);

        Assert.Equal("replica-a", firstHolder?.Owner);
        Assert.Equal("replica-a", secondHolder?.Owner);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from collector.leader_leases"));
    }

    [Fact]
    public async Task TryAcquire_OtherKey_LeadsIndependently()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        await db.Contender("replica-a").TryAcquireAsync(Key, Token);

        var holder = await db.Contender("replica-b").TryAcquireAsync("file:/archive", Token);

        Assert.Equal("replica-b", holder?.Owner);
    }

    [Fact]
    public async Task TryAcquire_LeaderStopsRenewing_StandbyLeadsAfterExpiry()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        var leader = db.Contender("replica-a");
        var standby = db.Contender("replica-b");
        await leader.TryAcquireAsync(Key, Token);

        db.Clock.Advance(Duration - TimeSpan.FromSeconds(1));
        var beforeExpiry = await standby.TryAcquireAsync(Key, Token);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var atExpiry = await standby.TryAcquireAsync(Key, Token);

        Assert.Equal("replica-a", beforeExpiry?.Owner);
        Assert.Equal("replica-b", atExpiry?.Owner);
        Assert.Equal(db.Clock.GetUtcNow() + Duration, atExpiry?.LeaseUntil);
    }

    [Fact]
    public async Task Renew_Leader_MovesExpiryForward()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        var leader = db.Contender("replica-a");
        var standby = db.Contender("replica-b");
        await leader.TryAcquireAsync(Key, Token);

        db.Clock.Advance(Duration / 3 * 2);
        var renewed = await leader.RenewAsync(Key, Token);
        db.Clock.Advance(Duration / 3 * 2);
        var standbyTry = await standby.TryAcquireAsync(Key, Token);

        Assert.Equal("replica-a", renewed?.Owner);
        Assert.Equal("replica-a", standbyTry?.Owner);
    }

    [Fact]
    public async Task Renew_AfterTakeover_ReturnsNewHolder()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        var leader = db.Contender("replica-a");
        await leader.TryAcquireAsync(Key, Token);
        db.Clock.Advance(Duration);
        await db.Contender("replica-b").TryAcquireAsync(Key, Token);

        var holder = await leader.RenewAsync(Key, Token);

        Assert.Equal("replica-b", holder?.Owner);
    }

    [Fact]
    public async Task RunWhileLeading_TwoReplicas_OnlyOneRunsWork()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var first = new BlockingWork();
        var second = new BlockingWork();

        var firstRun = db.Contender("replica-a").RunWhileLeadingAsync(Key, first.RunAsync, null, stop.Token);
        await first.Started.Task.WaitAsync(WaitLimit, Token);
        var secondRun = db.Contender("replica-b").RunWhileLeadingAsync(Key, second.RunAsync, null, stop.Token);
        await AdvanceWhileAsync(db.Clock, () => second.Runs == 0, Duration * 3);

        Assert.Equal(1, first.Runs);
        Assert.Equal(0, second.Runs);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstRun);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondRun);
    }

    [Fact]
    public async Task RunWhileLeading_LeaseTakenOver_CancelsWork()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var work = new BlockingWork();
        var run = db.Contender("replica-a").RunWhileLeadingAsync(Key, work.RunAsync, null, stop.Token);
        await work.Started.Task.WaitAsync(WaitLimit, Token);

        // Another replica whose clock ran ahead took the row over; replica-a learns it at its next renewal.
        await db.ScalarAsync<int>("update collector.leader_leases set owner = 'replica-b', lease_until = 'infinity' returning 1");
        await AdvanceWhileAsync(db.Clock, () => !work.Cancelled.Task.IsCompleted, Duration);

        Assert.True(work.Cancelled.Task.IsCompleted);
        Assert.Equal("replica-b", await db.ScalarAsync<string>("select owner from collector.leader_leases"));
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task RunWhileLeading_LeaderStops_StandbyTakesOver()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        using var stopLeader = CancellationTokenSource.CreateLinkedTokenSource(Token);
        using var stopStandby = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var leaderWork = new BlockingWork();
        var standbyWork = new BlockingWork();
        var leaderRun = db.Contender("replica-a").RunWhileLeadingAsync(Key, leaderWork.RunAsync, null, stopLeader.Token);
        await leaderWork.Started.Task.WaitAsync(WaitLimit, Token);
        var standbyRun = db.Contender("replica-b").RunWhileLeadingAsync(Key, standbyWork.RunAsync, null, stopStandby.Token);

        await stopLeader.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaderRun);
        await AdvanceWhileAsync(db.Clock, () => !standbyWork.Started.Task.IsCompleted, Duration);

        Assert.True(standbyWork.Started.Task.IsCompleted);
        Assert.Equal("replica-b", await db.ScalarAsync<string>("select owner from collector.leader_leases"));
        await stopStandby.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => standbyRun);
    }

    [Fact]
    public async Task RunWhileLeading_WorkReturns_ReleasesLease()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);

        await db.Contender("replica-a").RunWhileLeadingAsync(Key, _ => Task.CompletedTask, null, Token);

        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from collector.leader_leases"));
    }

    [Fact]
    public async Task RunWhileLeading_WorkFails_ThrowsAndReleases()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Contender("replica-a").RunWhileLeadingAsync(
            Key, _ => throw new InvalidOperationException("token rejected"), null, Token));

        Assert.Equal("token rejected", error.Message);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from collector.leader_leases"));
    }

    [Fact]
    public async Task RunWhileLeading_Standby_ReportsPlannedWait()
    {
        await using var db = await LeaseDatabase.CreateAsync(postgres);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        await db.Contender("replica-a").TryAcquireAsync(Key, Token);
        var waits = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = db.Contender("replica-b").RunWhileLeadingAsync(Key, _ => Task.CompletedTask, wait => waits.TrySetResult(wait), stop.Token);

        Assert.Equal(Duration / 3, await waits.Task.WaitAsync(WaitLimit, Token));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Theory]
    [InlineData("00:00:02")]
    [InlineData("00:10:01")]
    public void Options_DurationOutOfRange_NamesValue(string duration)
    {
        var options = new LeaderLeaseOptions { Duration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) };

        var error = Assert.Single(options.Validate());

        Assert.Contains($"LeaderLease:Duration is {duration}", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Advances the fake clock a second at a time while <paramref name="condition"/> holds, at most by
    /// <paramref name="limit"/>, giving the contenders' database round trips real time between steps.
    /// </summary>
    private static async Task AdvanceWhileAsync(FakeTimeProvider clock, Func<bool> condition, TimeSpan limit)
    {
        for (var advanced = TimeSpan.Zero; condition() && advanced < limit; advanced += TimeSpan.FromSeconds(1))
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(50), Token);
        }
    }

    /// <summary>Work that runs until its token is cancelled and records that it started and stopped.</summary>
    private sealed class BlockingWork
    {
        private int runs;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs => Volatile.Read(ref runs);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref runs);
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                Cancelled.TrySetResult();
            }
        }
    }

    /// <summary>A fresh database with the collector schema and a fake clock for the contenders.</summary>
    private sealed class LeaseDatabase : IAsyncDisposable
    {
        private LeaseDatabase(NpgsqlDataSource dataSource)
        {
            DataSource = dataSource;
        }

        public NpgsqlDataSource DataSource { get; }

        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        /// <summary>Creates a database and runs the collector's migration scripts from the repository on it.</summary>
        public static async Task<LeaseDatabase> CreateAsync(PostgresFixture fixture)
        {
            var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync());
            var folder = Path.Combine(TestData.RepositoryRoot, "deploy", "postgres", "migrations", "collector");
            foreach (var script in Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal))
            {
                await using var command = dataSource.CreateCommand(await File.ReadAllTextAsync(script, Token));
                await command.ExecuteNonQueryAsync(Token);
            }

            return new LeaseDatabase(dataSource);
        }

        public LeaderLease Contender(string owner) => new(
            DataSource,
            Clock,
            Options.Create(new LeaderLeaseOptions { Duration = Duration, Owner = owner }),
            NullLogger<LeaderLease>.Instance);

        public async Task<T> ScalarAsync<T>(string sql)
        {
            await using var command = DataSource.CreateCommand(sql);
            return (T)(await command.ExecuteScalarAsync(Token))!;
        }

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }
}
