using System.Diagnostics;
using System.Globalization;
using System.Text;
using MongoDB.Bson;
using MongoDB.Driver;
using Npgsql;
using Pipeline.GetTweets.Synthetic;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Faults.Tests;

/// <summary>
/// Sends 100,000 synthetic tweets through the compose stack while it kills the collector and each
/// writer with SIGKILL, restarts PostgreSQL and cuts a writer off the network for 30 s, on a seeded schedule.
/// At the end the stores must hold exactly the tweet ids the collector sent, with no dead letter
/// and no lag. The time each fault took to recover is printed as a table, not asserted.
/// MongoDB and its writer join only where the mongo:8 image exists.
/// </summary>
public sealed class FaultHarnessTests
{
    /// <summary>The seed of the tweets and of the schedule; <c>PIPELINE_FAULT_SEED</c> replaces it.</summary>
    private const long DefaultSeed = 20261204;

    /// <summary>The tweets in <c>data</c>; <c>PIPELINE_FAULT_COUNT</c> replaces it for shorter runs.</summary>
    private const int DefaultCount = 100_000;

    /// <summary>
    /// How long the collector is paced to take, so every fault lands while tweets still arrive. The
    /// faults with their recoveries took about 2 to 2.5 minutes in two runs on a 2-core machine.
    /// </summary>
    private static readonly TimeSpan CollectingTime = TimeSpan.FromSeconds(250);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task ComposeStack_FaultsUnderLoad_StoresEachIdOnce()
    {
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        var token = TestContext.Current.CancellationToken;
        var seed = ReadSetting("PIPELINE_FAULT_SEED", DefaultSeed);
        var count = (int)ReadSetting("PIPELINE_FAULT_COUNT", DefaultCount);
        var rate = count / CollectingTime.TotalSeconds;
        var withMongo = DockerEngine.HasImage("mongo:8");
        Report($"Fault harness: seed {seed}, {count} tweets at {rate:F0} tweets/s, {Environment.ProcessorCount} processors.");
        if (!withMongo)
        {
            Report("The Mongo half was skipped: the mongo:8 image is not present here, so MongoDB and mongo-writer do not run and only PostgreSQL is checked.");
        }

        var expected = new SyntheticPages(seed, count).TweetIds();
        Report($"The collector sends {expected.Count} distinct tweet ids: {count} in data and the rest as referenced tweets in includes.");
        var settings = new Dictionary<string, string>
        {
            ["COLLECTOR_SOURCE"] = "synthetic",
            ["COLLECTOR_SYNTHETIC_COUNT"] = count.ToString(CultureInfo.InvariantCulture),
            ["COLLECTOR_SYNTHETIC_SEED"] = seed.ToString(CultureInfo.InvariantCulture),
            ["COLLECTOR_SYNTHETIC_RATE"] = rate.ToString("F1", CultureInfo.InvariantCulture),
        };
        await using var stack = new ComposeStack(withMongo, "pipeline-faults", settings);
        var writers = withMongo ? new[] { "postgres-writer", "mongo-writer" } : ["postgres-writer"];
        var schedule = FaultSchedule.Create(seed, writers);
        Report("Schedule: " + string.Join(", ", schedule.Select(f => $"{f.Description} after {f.Delay.TotalSeconds:F1} s")));

        stack.Build();
        stack.Up();
        var loadClock = Stopwatch.StartNew();
        var injector = new FaultInjector(stack, writers, loadClock);
        await WaitForStartAsync(stack, injector, writers, token);
        Report($"Every service progressing {loadClock.Elapsed.TotalSeconds:F1} s after compose up.");

        var records = new List<FaultRecord>();
        foreach (var fault in schedule)
        {
            await Task.Delay(fault.Delay, token);
            records.Add(await injector.InjectAsync(fault, token));
            Report($"{fault.Description}: progressing again {records[^1].Recovery.TotalSeconds:F1} s after the fault ended.");
        }

        // Printed before the drain, so that a run that fails to drain still shows its recovery times.
        Report(FormatTable(records));
        await WaitForDrainAsync(stack, injector, writers, token);
        Report($"Drained {loadClock.Elapsed.TotalSeconds:F1} s after compose up.");

        var collector = stack.Inspect("get_tweets");
        Assert.True(collector is { Status: "exited", ExitCode: 0 }, $"get_tweets is {collector.Status} with exit code {collector.ExitCode}\n{stack.Logs()}");
        AssertSameIds(expected, await ReadPostgresIdsAsync(stack, token), "public.tweets");
        Assert.Equal(0L, await ScalarAsync(stack, "select count(*) from queue.dead_letters", token));
        var progress = await injector.ReadProgressAsync(token);
        Assert.All(writers, writer => Assert.Equal(0L, progress.Of(writer).Lag));
        if (withMongo)
        {
            AssertSameIds(expected, await ReadMongoIdsAsync(stack, token), "MongoDB tweets");
        }
    }

    private static async Task WaitForStartAsync(ComposeStack stack, FaultInjector injector, IReadOnlyList<string> writers, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var empty = new SubscriptionProgress(null, 0);
        while (deadline.Elapsed < StartTimeout)
        {
            if (await PipelineProgress.TryReadAsync(stack.PostgresConnectionString, cancellationToken) is { CommittedPage: > 0 } progress
                && writers.All(writer => progress.Of(writer).AckedSince(empty)))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        Assert.Fail($"The collector and the writers were not all progressing {StartTimeout} after compose up (collector finished: {injector.CollectorFinished()}).\n{stack.Logs()}");
    }

    // Done when the collector has exited 0 and no writer has a message left, seen on two readings in a row.
    private static async Task WaitForDrainAsync(ComposeStack stack, FaultInjector injector, IReadOnlyList<string> writers, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var drainedReadings = 0;
        PipelineProgress? last = null;
        while (deadline.Elapsed < DrainTimeout)
        {
            last = await PipelineProgress.TryReadAsync(stack.PostgresConnectionString, cancellationToken);
            var drained = last is not null && injector.CollectorFinished() && writers.All(writer => last.Subscriptions.ContainsKey(writer) && last.Of(writer).Lag == 0);
            drainedReadings = drained ? drainedReadings + 1 : 0;
            if (drainedReadings == 2)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        Assert.Fail($"The pipeline did not drain within {DrainTimeout} after the last fault. Last reading: {last?.ToString() ?? "PostgreSQL unreachable"}; collector finished: {injector.CollectorFinished()}.\n{stack.Logs()}");
    }

    private static void AssertSameIds(HashSet<long> expected, HashSet<long> stored, string store)
    {
        var missing = expected.Except(stored).Order().ToList();
        var extra = stored.Except(expected).Order().ToList();
        Assert.True(missing.Count == 0, $"{store} lacks {missing.Count} of the {expected.Count} ids sent, such as {string.Join(", ", missing.Take(20))}");
        Assert.True(extra.Count == 0, $"{store} has {extra.Count} ids that were not sent, such as {string.Join(", ", extra.Take(20))}");
    }

    private static async Task<HashSet<long>> ReadPostgresIdsAsync(ComposeStack stack, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(stack.PostgresConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select id from public.tweets", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    // NOTE: this path has not run, because no mongo:8 image exists on the machines this was written on.
    private static async Task<HashSet<long>> ReadMongoIdsAsync(ComposeStack stack, CancellationToken cancellationToken)
    {
        var tweets = new MongoClient(stack.MongoConnectionString).GetDatabase("pipeline").GetCollection<BsonDocument>("tweets");
        var ids = await tweets.Find(FilterDefinition<BsonDocument>.Empty)
            .Project(Builders<BsonDocument>.Projection.Include("_id"))
            .ToListAsync(cancellationToken);
        return [.. ids.Select(document => long.Parse(document["_id"].AsString, CultureInfo.InvariantCulture))];
    }

    private static async Task<long> ScalarAsync(ComposeStack stack, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(stack.PostgresConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Returns the table of recovery times in Markdown, as docs/faults.md shows it.</summary>
    private static string FormatTable(List<FaultRecord> records)
    {
        var table = new StringBuilder();
        table.AppendLine("| # | fault | began at (s) | fault lasted (s) | came back by | progressing again after (s) | restarted by the policy meanwhile |");
        table.AppendLine("|---|---|---|---|---|---|---|");
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            table.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {record.Fault.Description} | {record.StartedAt.TotalSeconds:F1} | {record.Duration.TotalSeconds:F1} | {record.CameBack} | {record.Recovery.TotalSeconds:F1} | {record.PolicyRestarts} |");
        }

        return table.ToString();
    }

    private static long ReadSetting(string variable, long defaultValue)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        Assert.True(long.TryParse(value, CultureInfo.InvariantCulture, out var parsed) && parsed > 0, $"{variable} is '{value}': set it to a positive whole number or unset it.");
        return parsed;
    }

    private static void Report(string message)
    {
        TestContext.Current.SendDiagnosticMessage(message);
        TestContext.Current.TestOutputHelper?.WriteLine(message);
    }
}
