using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.GetTweets.Synthetic;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>The synthetic source run by the collector host: what it enqueues, how it resumes and which settings it rejects.</summary>
[Collection(SharedPostgres.Name)]
public sealed class SyntheticSourceTests(PostgresFixture postgres)
{
    private const long Seed = 77;

    // Options are validated before any database connection, so no server needs to listen here.
    private const string UnusedDatabase = "Host=127.0.0.1;Port=1;Username=unused;Password=unused;Database=unused";

    [Fact]
    public async Task Run_ToEnd_EnqueuesEachExpectedIdOnce()
    {
        var database = await postgres.CreateDatabaseAsync();

        var exitCode = await CollectorHost.RunAsync(database, Settings(count: 1_000));

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, ExpectedIds(1_000));
    }

    [Fact]
    public async Task Run_Again_EnqueuesNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        await CollectorHost.RunAsync(database, Settings(count: 300));

        // Without the checkpoint every page is built again, and only the seen-tweets table stops duplicates.
        await QueueContents.ExecuteAsync(database, "delete from collector.checkpoints");
        var exitCode = await CollectorHost.RunAsync(database, Settings(count: 300));

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, ExpectedIds(300));
    }

    [Fact]
    public async Task Run_StoppedMidway_ResumesAfterCheckpoint()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = Settings(count: 1_000);
        settings["Collector:SyntheticRate"] = "100";
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2031-02-01T00:00:00Z", CultureInfo.InvariantCulture));

        // At 100 tweets per second the source waits a second of the fake clock after each page.
        await using (var collector = RunningCollector.Start(database, settings, new CapturedLogs(), clock))
        {
            await clock.AdvanceUntilAsync(async () => await CommittedPageAsync(database) >= 3, TimeSpan.FromMilliseconds(250), "committing page 3");
        }

        var committed = await CommittedPageAsync(database);
        Assert.InRange(committed, 3, 9);
        await QueueContents.AssertHoldsEachOnceAsync(database, ExpectedIds(1_000, lastPage: committed));

        var logs = new CapturedLogs();
        var exitCode = await CollectorHost.RunAsync(database, Settings(count: 1_000), logs);

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, ExpectedIds(1_000));
        Assert.Contains($"after page {committed} of 10", Assert.Single(logs.WithEventId(2070)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Collector:SyntheticCount", "0", "Collector__SyntheticCount")]
    [InlineData("Collector:SyntheticCount", "100000001", "Collector__SyntheticCount")]
    [InlineData("Collector:SyntheticRate", "-1", "Collector__SyntheticRate")]
    public async Task Start_InvalidSetting_FailsNamingIt(string key, string value, string expectedVariable)
    {
        var logs = new CapturedLogs();
        var settings = Settings(count: 100);
        settings[key] = value;

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, settings, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains(expectedVariable, StringComparison.Ordinal) && e.FullText.Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_EmptySettings_UseDefaults()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Collector:Source"] = "synthetic",
            ["Collector:SyntheticCount"] = "150",
            ["Collector:SyntheticSeed"] = "",
            ["Collector:SyntheticRate"] = "",
        };

        var exitCode = await CollectorHost.RunAsync(database, settings);

        Assert.Equal(0, exitCode);
        var expected = new SyntheticPages(1, 150).TweetIds().Select(id => id.ToString(CultureInfo.InvariantCulture)).ToList();
        await QueueContents.AssertHoldsEachOnceAsync(database, expected);
    }

    private static Dictionary<string, string?> Settings(int count) => new()
    {
        ["Collector:Source"] = "synthetic",
        ["Collector:SyntheticCount"] = count.ToString(CultureInfo.InvariantCulture),
        ["Collector:SyntheticSeed"] = Seed.ToString(CultureInfo.InvariantCulture),
    };

    private static List<string> ExpectedIds(int count, int? lastPage = null)
    {
        var pages = new SyntheticPages(Seed, count);
        return [.. pages.TweetIds(lastPage ?? pages.PageCount).Select(id => id.ToString(CultureInfo.InvariantCulture))];
    }

    private static async Task<int> CommittedPageAsync(string database)
    {
        try
        {
            return (int)await QueueContents.ScalarAsync<long>(database, "select coalesce(max(line_number), 0) from collector.checkpoints where source_key like 'synthetic:%'");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The collector has not applied its migrations yet.
            return 0;
        }
    }
}
