using System.IO.Compression;
using System.Text.Json.Nodes;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

[Collection(SharedPostgres.Name)]
public sealed class ReplayTests(PostgresFixture postgres) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("get_tweets_test_").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Replay_BrexitFile_EnqueuesEachTweetOnce()
    {
        var database = await postgres.CreateDatabaseAsync();

        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(RecordedPages.PathOf("brexit.jsonl")));

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task Replay_SecondRun_EnqueuesNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = CollectorHost.Replay(RecordedPages.PathOf("brexit.jsonl"));
        await CollectorHost.RunAsync(database, settings);

        var exitCode = await CollectorHost.RunAsync(database, settings);

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task Replay_WithoutCheckpoint_SkipsSeenTweets()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = CollectorHost.Replay(RecordedPages.PathOf("brexit.jsonl"));
        await CollectorHost.RunAsync(database, settings);

        // Without the checkpoint the file is read again from line 1; only the seen-tweets table stops duplicates.
        await QueueContents.ExecuteAsync(database, "delete from collector.checkpoints");
        await CollectorHost.RunAsync(database, settings);

        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task Replay_ChangedMetrics_EnqueuesNewObservation()
    {
        var database = await postgres.CreateDatabaseAsync();
        await CollectorHost.RunAsync(database, CollectorHost.Replay(RecordedPages.PathOf("brexit.jsonl")));

        // The same page collected later: one tweet has one more like.
        var page = RecordedPages.FirstPage("brexit.jsonl");
        var changed = page["data"]![0]!;
        var likes = changed["public_metrics"]!["like_count"]!.GetValue<int>();
        changed["public_metrics"]!["like_count"] = likes + 1;
        var later = Path.Combine(folder, "brexit_later.jsonl");
        await File.WriteAllTextAsync(later, page.ToJsonString() + "\n", TestContext.Current.CancellationToken);
        await CollectorHost.RunAsync(database, CollectorHost.Replay(later));

        var keys = await QueueContents.KeysAsync(database);
        var expected = RecordedPages.DistinctTweetIds("brexit.jsonl").Append(changed["id"]!.GetValue<string>());
        Assert.Equal(expected.Order(), keys.Order());
    }

    [Fact]
    public async Task Replay_TruncatedLine_IsSetAside()
    {
        var database = await postgres.CreateDatabaseAsync();
        var brexit = RecordedPages.Lines("brexit.jsonl")[0];
        var truncated = brexit[..(brexit.Length / 2)];
        var file = await WriteLinesAsync("truncated.jsonl", RecordedPages.Lines("edited.jsonl")[0], truncated, RecordedPages.Lines("media_tweet.jsonl")[0]);
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(file), logs);

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("edited.jsonl", "media_tweet.jsonl"));
        Assert.Equal(2L, await QueueContents.ScalarAsync<long>(database, "select line_number from collector.rejected_lines"));
        Assert.Equal(truncated, await QueueContents.ScalarAsync<string>(database, "select raw_text from collector.rejected_lines"));
        Assert.Contains("Line 2 of truncated.jsonl", Assert.Single(logs.WithEventId(2005)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_OverlongLine_IsSetAsideAndRestRead()
    {
        var database = await postgres.CreateDatabaseAsync();
        var overlong = """{"data":[{"id":"1","text":""" + "\"" + new string('x', 17 * 1024 * 1024) + "\"}]}";
        var file = await WriteLinesAsync("overlong.jsonl", overlong, RecordedPages.Lines("edited.jsonl")[0]);

        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(file));

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("edited.jsonl"));
        Assert.Equal(1L, await QueueContents.ScalarAsync<long>(database, "select line_number from collector.rejected_lines"));
        Assert.Contains("more than the", await QueueContents.ScalarAsync<string>(database, "select error from collector.rejected_lines"), StringComparison.Ordinal);
        Assert.Equal(64 * 1024, await QueueContents.ScalarAsync<int>(database, "select length(raw_text) from collector.rejected_lines"));
    }

    [Fact]
    public async Task Replay_TruncatedLastLine_ReadAgainOnceComplete()
    {
        var database = await postgres.CreateDatabaseAsync();
        var brexit = RecordedPages.Lines("brexit.jsonl")[0];
        var edited = RecordedPages.Lines("edited.jsonl")[0];
        var file = await WriteLinesAsync("growing.jsonl", edited, brexit[..1000]);
        await CollectorHost.RunAsync(database, CollectorHost.Replay(file));

        // The archive's writer finished the page that was cut off.
        await WriteLinesAsync("growing.jsonl", edited, brexit);
        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(file));

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("edited.jsonl", "brexit.jsonl"));
        Assert.Equal(0L, await QueueContents.ScalarAsync<long>(database, "select count(*) from collector.rejected_lines"));
    }

    [Fact]
    public async Task Replay_CrashMidFile_RestartEnqueuesEachOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        string[] files = ["edited.jsonl", "brexit.jsonl", "kpop.jsonl", "media_tweet.jsonl"];
        var file = await WriteLinesAsync("archive.jsonl", [.. files.Select(f => RecordedPages.Lines(f)[0])]);

        // A trigger makes the transaction of line 3 (kpop) fail, as a database crash in the middle of the file would.
        await using (var dataSource = Npgsql.NpgsqlDataSource.Create(database))
        {
            await Migrations.ApplyAsync(dataSource, typeof(QueueClient).Assembly, "queue", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TestContext.Current.CancellationToken);
        }

        var kpopId = RecordedPages.DistinctTweetIds("kpop.jsonl").Except(RecordedPages.DistinctTweetIds("edited.jsonl", "brexit.jsonl")).First();
        await QueueContents.ExecuteAsync(database, $"""
            create function public.crash_on_kpop() returns trigger language plpgsql as $$
            begin
                if new.message_key = '{kpopId}' then
                    raise exception 'simulated crash';
                end if;
                return new;
            end $$;
            create trigger crash_on_kpop before insert on queue.messages for each row execute function public.crash_on_kpop();
            """);

        var crashedExitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(file));
        var lineAfterCrash = await QueueContents.ScalarAsync<long>(database, "select line_number from collector.checkpoints");
        await QueueContents.ExecuteAsync(database, "drop trigger crash_on_kpop on queue.messages");
        var restartedExitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(file));

        Assert.Equal(1, crashedExitCode);
        Assert.Equal(2L, lineAfterCrash);
        Assert.Equal(0, restartedExitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds(files));
    }

    [Fact]
    public async Task Replay_GzipFile_EnqueuesEachTweetOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var file = Path.Combine(folder, "brexit.jsonl.gz");
        await using (var output = File.Create(file))
        await using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        await using (var input = File.OpenRead(RecordedPages.PathOf("brexit.jsonl")))
        {
            await input.CopyToAsync(gzip, TestContext.Current.CancellationToken);
        }

        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(folder));

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupted")]
    public async Task Replay_DamagedGzip_KeepsLinesBeforeDamage(string damage)
    {
        var database = await postgres.CreateDatabaseAsync();
        var file = Path.Combine(folder, "archive.jsonl.gz");
        var text = string.Join("\n", RecordedPages.Lines("edited.jsonl")[0], RecordedPages.Lines("brexit.jsonl")[0], RecordedPages.Lines("kpop.jsonl")[0]) + "\n";
        await using (var output = File.Create(file))
        await using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);
        }

        // The damage lies well after the first page (edited.jsonl, a few kilobytes).
        var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        if (damage == "truncated")
        {
            bytes = bytes[..(bytes.Length * 6 / 10)];
        }
        else
        {
            Array.Fill(bytes, (byte)0xA5, bytes.Length * 6 / 10, 64);
        }

        await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);
        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(file));

        var keys = await QueueContents.KeysAsync(database);
        Assert.Equal(0, exitCode);
        Assert.True(await QueueContents.ScalarAsync<long>(database, "select count(*) from collector.rejected_lines") >= 1);
        Assert.Empty(RecordedPages.DistinctTweetIds("edited.jsonl").Except(keys));
        Assert.Empty(keys.Except(RecordedPages.DistinctTweetIds("edited.jsonl", "brexit.jsonl", "kpop.jsonl")));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public async Task Replay_BundledSample_EnqueuesEachTweetOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var sample = Path.Combine(TestData.RepositoryRoot, "services", "get_tweets", "sample");
        var expected = RecordedPages.DistinctTweetIds(Directory.GetFiles(sample, "*.jsonl").SelectMany(File.ReadAllLines));

        // No source and no path: the default is a replay of the sample shipped beside the binaries.
        var exitCode = await CollectorHost.RunAsync(database, new Dictionary<string, string?>());

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, expected);
    }

    [Fact]
    public async Task Replay_PartialError_LogsResourceIdAndCount()
    {
        var database = await postgres.CreateDatabaseAsync();
        var logs = new CapturedLogs();

        await CollectorHost.RunAsync(database, CollectorHost.Replay(RecordedPages.PathOf("kpop.jsonl")), logs);

        Assert.Contains("leeseunggi", Assert.Single(logs.WithEventId(2006)).Message, StringComparison.Ordinal);
        Assert.Contains("1 partial errors", Assert.Single(logs.WithEventId(2004)).Message, StringComparison.Ordinal);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("kpop.jsonl"));
    }

    [Fact]
    public async Task Replay_EmptyFolder_WarnsAndExits()
    {
        var database = await postgres.CreateDatabaseAsync();
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(database, CollectorHost.Replay(folder), logs);

        Assert.Equal(0, exitCode);
        Assert.Single(logs.WithEventId(2009));
        await QueueContents.AssertHoldsEachOnceAsync(database, []);
    }

    private async Task<string> WriteLinesAsync(string name, params string[] lines)
    {
        var path = Path.Combine(folder, name);
        await File.WriteAllTextAsync(path, string.Join("\n", lines) + "\n", TestContext.Current.CancellationToken);
        return path;
    }
}
