using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// Deploys deploy/swarm/stack.yml on a single-node swarm of the local engine, with its three
/// Postgres writers and two collectors (one leads, the other waits as a standby), and replaces every writer
/// task by a rolling update while the collector imports tweets. MongoDB and its writer are left
/// out, because no MongoDB image can be had on every machine.
/// </summary>
public sealed class SwarmStackDeployTests
{
    /// <summary>
    /// Copies of the 285-tweet sample in the import: about 40,000 tweets. On a shared 2-core
    /// machine the collector, which the stack limits to half a core, enqueued 150 to 1,400
    /// tweets/s. The update replaced the first writer task 7 to 20 s after it began, so the import
    /// outlasts that replacement with room to spare.
    /// </summary>
    private const int SampleCopies = 140;

    private const int WriterReplicas = 3;

    // Event ids of the leader lease's log messages (services/core/Hosting/LeaderLeaseLog.cs).
    private const int StandingBy = 1120;
    private const int LeaseAcquired = 1121;
    private const int LeaseReleased = 1126;

    // Messages that the Postgres writer has not claimed yet, has claimed but not acknowledged, or will retry.
    private const string LagSql =
        "select coalesce(sum(unclaimed + claims_in_flight + retrying), 0) from queue.subscription_stats where subscription = 'postgres-writer'";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RollingWriterUpdate_MidRun_StoresEachTweetOnce()
    {
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        await using (var images = new ComposeStack(withMongo: false, projectPrefix: "pipeline-swarm"))
        {
            images.Build();
        }

        await using var swarm = SwarmDeployment.Create();
        var sent = SwarmImportPages.Write(swarm.ImportFolder, SampleCopies);
        var clock = Stopwatch.StartNew();
        swarm.Deploy();

        var oldWriters = await WaitForRunStartAsync(swarm);
        Report($"Deployed {swarm.Name}; {WriterReplicas} writers were running and the first tweets stored {clock.Elapsed.TotalSeconds:F0} s after docker stack deploy.");

        var updateStarted = clock.Elapsed;
        swarm.ForceUpdate(SwarmDeployment.PostgresWriter);
        var replacements = await WatchUpdateAsync(swarm, oldWriters, clock);
        foreach (var (taskId, at, stored) in replacements)
        {
            Report($"Writer task {taskId[..12]} was replaced {(at - updateStarted).TotalSeconds:F0} s into the update, with {stored} of {sent.Count} tweets stored.");
        }

        await WaitForDrainAsync(swarm, sent.Count);
        Report($"All {sent.Count} tweets were stored and the queue drained {clock.Elapsed.TotalSeconds:F0} s after docker stack deploy.");

        Assert.True(
            replacements[0].Stored < sent.Count,
            $"The first writer task was replaced only after all {sent.Count} tweets were stored, so the update did not overlap the run; import more copies of the sample.");
        AssertStoredExactlyOnce(swarm, sent);
        AssertQueueDrained(swarm);
        AssertEnqueuedOnce(swarm, sent.Count);
        AssertWritersReplaced(swarm, oldWriters);
        AssertCollectorsTookTurns(swarm);
    }

    /// <summary>Waits until every writer task runs and the first tweets are stored, and returns the writers' task ids.</summary>
    private static async Task<HashSet<string>> WaitForRunStartAsync(SwarmDeployment swarm)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout)
        {
            var writers = swarm.RunningTaskIds(SwarmDeployment.PostgresWriter);
            if (writers.Count == WriterReplicas && CountTweets(swarm) > 0)
            {
                return writers;
            }

            await Task.Delay(PollInterval, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Within {StartTimeout} of the deployment, {WriterReplicas} writers were not running or no tweet was stored.\n{swarm.Logs()}");
        return [];
    }

    /// <summary>
    /// Polls until every old writer task has been replaced and the new ones run. Returns each old
    /// task with the time it was seen replaced and the tweets stored then. A count read just after
    /// a replacement is at least the count at the replacement, so a count below the total proves
    /// that the replacement happened while tweets were still arriving.
    /// </summary>
    private static async Task<List<(string TaskId, TimeSpan At, long Stored)>> WatchUpdateAsync(SwarmDeployment swarm, HashSet<string> oldWriters, Stopwatch clock)
    {
        var replaced = new List<(string TaskId, TimeSpan At, long Stored)>();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < UpdateTimeout)
        {
            var tasks = swarm.Tasks(SwarmDeployment.PostgresWriter);
            var newlyReplaced = tasks
                .Where(t => oldWriters.Contains(t.Id) && t.DesiredState != "running" && replaced.TrueForAll(r => r.TaskId != t.Id))
                .ToList();
            if (newlyReplaced.Count > 0)
            {
                var stored = CountTweets(swarm);
                replaced.AddRange(newlyReplaced.Select(t => (t.Id, clock.Elapsed, stored)));
            }

            var newRunning = tasks.Count(t => !oldWriters.Contains(t.Id) && t is { DesiredState: "running", State: "running" });
            if (replaced.Count == oldWriters.Count && newRunning == WriterReplicas)
            {
                return replaced;
            }

            await Task.Delay(PollInterval, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Within {UpdateTimeout}, the rolling update replaced {replaced.Count} of {oldWriters.Count} writer tasks (update state: {swarm.UpdateState(SwarmDeployment.PostgresWriter)}).\n{swarm.Logs()}");
        return replaced;
    }

    /// <summary>Waits until both collectors have exited, every tweet is stored and the writers hold no claim.</summary>
    private static async Task WaitForDrainAsync(SwarmDeployment swarm, int expected)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < DrainTimeout)
        {
            var collectorsDone = swarm.Tasks(SwarmDeployment.Collector).TrueForAll(t => t.DesiredState != "running" || t.State is "complete" or "failed");
            if (collectorsDone && CountTweets(swarm) >= expected && swarm.QueryNumber(LagSql) == 0)
            {
                return;
            }

            await Task.Delay(PollInterval, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Within {DrainTimeout} of the update, the collectors did not finish or the writers did not store all {expected} tweets ({CountTweets(swarm)} stored).\n{swarm.Logs()}");
    }

    private static void AssertStoredExactlyOnce(SwarmDeployment swarm, HashSet<long> sent)
    {
        var output = swarm.TryQuery("select id from public.tweets");
        Assert.NotNull(output);
        var stored = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => long.Parse(line, CultureInfo.InvariantCulture))
            .ToList();

        Assert.Equal(sent.Count, stored.Count);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(sent.Except(stored));
        Assert.Empty(stored.Except(sent));
    }

    private static void AssertQueueDrained(SwarmDeployment swarm)
    {
        Assert.Equal(0L, swarm.QueryNumber("select count(*) from queue.dead_letters"));
        Assert.Equal(0L, swarm.QueryNumber("select unclaimed from queue.subscription_stats where subscription = 'postgres-writer'"));
        Assert.Equal(0L, swarm.QueryNumber("select claims_in_flight from queue.subscription_stats where subscription = 'postgres-writer'"));
        Assert.Equal(0L, swarm.QueryNumber("select retrying from queue.subscription_stats where subscription = 'postgres-writer'"));
    }

    /// <summary>
    /// Both collectors read the import, one after the other, and the second finds the file's
    /// checkpoint complete. Every sample tweet has one version, so one message per tweet means
    /// that no page was enqueued twice.
    /// </summary>
    private static void AssertEnqueuedOnce(SwarmDeployment swarm, int expected)
    {
        Assert.Equal(expected, swarm.QueryNumber("select case when is_called then last_value else 0 end from queue.message_ids"));
        Assert.Equal(expected, swarm.QueryNumber("select count(*) from collector.seen_tweets"));
    }

    private static void AssertWritersReplaced(SwarmDeployment swarm, HashSet<string> oldWriters)
    {
        var tasks = swarm.Tasks(SwarmDeployment.PostgresWriter);
        var running = tasks.Where(t => t is { DesiredState: "running", State: "running" }).ToList();

        Assert.Equal(WriterReplicas, running.Count);
        Assert.DoesNotContain(running, t => oldWriters.Contains(t.Id));
        Assert.All(tasks.Where(t => oldWriters.Contains(t.Id)), t =>
        {
            // A writer stops on SIGTERM within the stack's stop_grace_period, so its exit code is
            // 0; a task killed at the end of the grace period exits 137.
            Assert.Equal("shutdown", t.State);
            Assert.Equal(0, t.ExitCode);
        });
        Assert.DoesNotContain(tasks, t => t.State is "failed" or "rejected");
        Assert.Contains(swarm.UpdateState(SwarmDeployment.PostgresWriter), new[] { "updating", "completed" });
    }

    /// <summary>
    /// Checks from the collectors' JSON logs that one collector stood by while the other held the
    /// leader lease, and took the lease only after the leader had released it.
    /// </summary>
    private static void AssertCollectorsTookTurns(SwarmDeployment swarm)
    {
        var tasks = swarm.Tasks(SwarmDeployment.Collector);
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t =>
        {
            Assert.Equal("complete", t.State);
            Assert.Equal(0, t.ExitCode);
        });

        var events = swarm.JsonLogs(SwarmDeployment.Collector)
            .Select(e => (e.TaskId, EventId: e.Entry.GetProperty("EventId").GetInt32(), At: e.Entry.GetProperty("Timestamp").GetDateTimeOffset()))
            .ToList();
        var acquired = events.Where(e => e.EventId == LeaseAcquired).OrderBy(e => e.At).ToList();
        Assert.Equal(2, acquired.Count);
        Assert.NotEqual(acquired[0].TaskId, acquired[1].TaskId);

        var (leader, standby) = (acquired[0].TaskId, acquired[1].TaskId);
        var released = events.Single(e => e.TaskId == leader && e.EventId == LeaseReleased);
        Assert.True(acquired[1].At >= released.At, $"The standby acquired the lease at {acquired[1].At:O}, before the leader released it at {released.At:O}.");
        Assert.Contains(events, e => e.TaskId == standby && e.EventId == StandingBy && e.At < released.At);
    }

    private static long CountTweets(SwarmDeployment swarm) =>
        swarm.TryQuery("select count(*) from public.tweets") is { } count ? long.Parse(count, CultureInfo.InvariantCulture) : 0;

    private static void Report(string message) => TestContext.Current.SendDiagnosticMessage(message);
}
