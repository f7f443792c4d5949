using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Pages;
using Pipeline.GetTweets.Replay;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>Deletions from batch compliance results and from pages' not-found errors, parsed and enqueued.</summary>
[Collection(SharedPostgres.Name)]
public sealed class DeletionTests(PostgresFixture postgres) : IDisposable
{
    // Partial errors as a recorded user lookup of DocNow/twarc-csv (test-data/users.jsonl) carries
    // them: a pinned tweet that no longer exists, and one of a protected account.
    private const string TweetNotFoundError = """
        {"value": "851951598326689792", "detail": "Could not find tweet with pinned_tweet_id: [851951598326689792].", "title": "Not Found Error", "resource_type": "tweet", "parameter": "pinned_tweet_id", "resource_id": "851951598326689792", "type": "https://api.twitter.com/2/problems/resource-not-found"}
        """;

    private const string TweetNotAuthorizedError = """
        {"resource_id": "1373671343410012164", "parameter": "pinned_tweet_id", "resource_type": "tweet", "section": "includes", "title": "Authorization Error", "value": "1373671343410012164", "detail": "Sorry, you are not authorized to see the Tweet with pinned_tweet_id: [1373671343410012164].", "type": "https://api.twitter.com/2/problems/not-authorized-for-resource"}
        """;

    private static readonly CollectionSource Source = new("compliance", "tweets_compliance.jsonl");
    private static readonly DateTimeOffset ReadAt = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly string folder = Directory.CreateTempSubdirectory("get_tweets_deletions_").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ComplianceResult_RecordedLines_BecomeDeletions()
    {
        var lines = RecordedPages.Lines("tweets_compliance.jsonl").Where(l => l.Length > 0).ToList();

        var deletions = lines.Select(l => ComplianceResult.Parse(Json(l), Source, ReadAt)).ToList();

        Assert.Equal(new TweetDeletion("1170025343920402432", "protected", Source, ReadAt), deletions[0]);
        Assert.Equal(new TweetDeletion("1170147183095664640", "deactivated", Source, new DateTimeOffset(2021, 8, 17, 17, 26, 15, 788, TimeSpan.Zero)), deletions[1]);
    }

    [Fact]
    public void ComplianceResult_OtherAction_IsSkipped()
    {
        Assert.Null(ComplianceResult.Parse(Json("""{"id":"1","action":"keep","reason":"deleted"}"""), Source, ReadAt));
    }

    [Theory]
    [InlineData("""[1]""", "not a compliance result")]
    [InlineData("""{"action":"delete","reason":"deleted"}""", "id ''")]
    [InlineData("""{"id":1170025343920402432,"action":"delete","reason":"deleted"}""", "'id' is a JSON Number")]
    [InlineData("""{"id":"01","action":"delete","reason":"deleted"}""", "id '01'")]
    [InlineData("""{"id":"1","reason":"deleted"}""", "no 'action'")]
    [InlineData("""{"id":"1","action":"delete"}""", "no 'reason'")]
    [InlineData("""{"id":"1","action":"delete","reason":"deleted","redacted_at":"yesterday"}""", "'yesterday'")]
    public void ComplianceResult_InvalidLine_Throws(string line, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ComplianceResult.Parse(Json(line), Source, ReadAt));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiPage_TweetNotFound_BecomesDeletion()
    {
        var page = PageWithErrors(TweetNotFoundError, TweetNotFoundError, TweetNotAuthorizedError);

        var parsed = ApiPage.Parse(Json(page.ToJsonString()), new CollectionSource("recent_search", "#brexit"), ReadAt);

        Assert.Equal(3, parsed.Errors.Count);
        var deletion = Assert.Single(parsed.Deletions);
        Assert.Equal(new TweetDeletion("851951598326689792", TweetDeletion.NotFound, new CollectionSource("recent_search", "#brexit"), ReadAt), deletion);
    }

    [Fact]
    public void ApiPage_SuspendedUser_IsNoDeletion()
    {
        // kpop.jsonl reports a suspended mentioned user with the resource-not-found type.
        var parsed = ApiPage.Parse(Json(RecordedPages.Lines("kpop.jsonl")[0]), Source, ReadAt);

        Assert.Single(parsed.Errors);
        Assert.Empty(parsed.Deletions);
    }

    [Fact]
    public void ApiPage_NotFoundPresentTweet_IsSkipped()
    {
        var page = RecordedPages.FirstPage("brexit.jsonl");
        var presentId = page["data"]![0]!["id"]!.GetValue<string>();
        var error = JsonNode.Parse(TweetNotFoundError)!;
        error["resource_id"] = presentId;
        page["errors"] = new JsonArray(error);

        var parsed = ApiPage.Parse(Json(page.ToJsonString()), Source, ReadAt);

        Assert.Empty(parsed.Deletions);
    }

    [Fact]
    public async Task Compliance_RecordedFile_EnqueuesDeletions()
    {
        var database = await postgres.CreateDatabaseAsync();

        var exitCode = await CollectorHost.RunAsync(database, Compliance(RecordedPages.PathOf("tweets_compliance.jsonl")));

        Assert.Equal(0, exitCode);
        var messages = await MessagesAsync(database);
        Assert.Equal(["1170025343920402432", "1170147183095664640"], messages.Select(m => m.Id));
        Assert.All(messages, m => Assert.Null(m.Tweet));
        Assert.Equal(["protected", "deactivated"], messages.Select(m => m.Deletion!.Reason));
        Assert.All(messages, m => Assert.Equal(new CollectionSource("compliance", "tweets_compliance.jsonl"), m.Deletion!.Source));
    }

    [Fact]
    public async Task Compliance_SecondRun_EnqueuesNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var settings = Compliance(RecordedPages.PathOf("tweets_compliance.jsonl"));
        await CollectorHost.RunAsync(database, settings);

        // Without the checkpoint the file is read again; only the seen-tweets rows stop duplicates.
        await QueueContents.ExecuteAsync(database, "delete from collector.checkpoints");
        var exitCode = await CollectorHost.RunAsync(database, settings);

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, ["1170025343920402432", "1170147183095664640"]);
    }

    [Fact]
    public async Task Compliance_InvalidLine_IsSetAside()
    {
        var database = await postgres.CreateDatabaseAsync();
        var lines = RecordedPages.Lines("tweets_compliance.jsonl");
        var file = Path.Combine(folder, "results.jsonl");
        await File.WriteAllLinesAsync(file, [lines[1], """{"id":"x","action":"delete","reason":"deleted"}""", "{not json", lines[2]], TestContext.Current.CancellationToken);
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(database, Compliance(file), logs);

        Assert.Equal(0, exitCode);
        await QueueContents.AssertHoldsEachOnceAsync(database, ["1170025343920402432", "1170147183095664640"]);
        Assert.Equal(2L, await QueueContents.ScalarAsync<long>(database, "select count(*) from collector.rejected_lines"));
        Assert.Contains("id 'x'", await QueueContents.ScalarAsync<string>(database, "select error from collector.rejected_lines where line_number = 2"), StringComparison.Ordinal);
        Assert.Equal(2, logs.WithEventId(2005).Count);
    }

    [Fact]
    public async Task Compliance_LargeFile_CommitsInBatches()
    {
        var database = await postgres.CreateDatabaseAsync();

        // 2,500 results over three batches, an invalid line in the second and one id given twice.
        var lines = Enumerable.Range(1, 2500)
            .Select(i => $$"""{"id":"{{1_000_000 + i}}","action":"delete","created_at":"2019-09-06T17:25:54.667Z","reason":"deleted"}""")
            .ToList();
        lines[1199] = "{not json";
        lines[2000] = lines[1999].Replace("\"deleted\"", "\"suspended\"", StringComparison.Ordinal);
        var file = Path.Combine(folder, "large.jsonl");
        await File.WriteAllLinesAsync(file, lines, TestContext.Current.CancellationToken);
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(database, Compliance(file), logs);

        Assert.Equal(0, exitCode);
        var expected = Enumerable.Range(1, 2500).Where(i => i != 1200 && i != 2001).Select(i => (1_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await QueueContents.AssertHoldsEachOnceAsync(database, expected);
        Assert.Equal(1200L, await QueueContents.ScalarAsync<long>(database, "select line_number from collector.rejected_lines"));
        Assert.Equal(2500L, await QueueContents.ScalarAsync<long>(database, "select line_number from collector.checkpoints"));
        Assert.Equal("deleted", (await MessagesAsync(database)).Single(m => m.Id == "1002000").Deletion!.Reason);

        // Line 1 alone, lines 2-1001 (a full batch), up to 1199 before the rejected line, 1201-2201
        // (1,000 deletions, as line 2001 repeats an id), and the rest.
        Assert.Equal([1L, 1001L, 1199L, 2201L, 2500L], logs.WithEventId(2060).Select(e => long.Parse(e.Message.Split("up to line ")[1].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Import_NotFoundTweet_EnqueuesDeletion()
    {
        var database = await postgres.CreateDatabaseAsync();
        var page = PageWithErrors(TweetNotFoundError);
        var file = Path.Combine(folder, "archive.jsonl");
        await File.WriteAllTextAsync(file, page.ToJsonString() + "\n", TestContext.Current.CancellationToken);

        var exitCode = await CollectorHost.RunAsync(database, new Dictionary<string, string?>
        {
            ["Collector:Source"] = "import",
            ["Collector:Path"] = file,
        });

        Assert.Equal(0, exitCode);
        var expected = RecordedPages.DistinctTweetIds("brexit.jsonl").Append("851951598326689792").ToList();
        await QueueContents.AssertHoldsEachOnceAsync(database, expected);
        var deletion = Assert.Single(await MessagesAsync(database), m => m.Deletion is not null).Deletion!;
        Assert.Equal(TweetDeletion.NotFound, deletion.Reason);
        Assert.Equal(new CollectionSource("import", "archive.jsonl"), deletion.Source);
    }

    private static Dictionary<string, string?> Compliance(string path) => new()
    {
        ["Collector:Source"] = "compliance",
        ["Collector:Path"] = path,
    };

    private static JsonObject PageWithErrors(params string[] errors)
    {
        var page = RecordedPages.FirstPage("brexit.jsonl");
        page["errors"] = new JsonArray([.. errors.Select(e => JsonNode.Parse(e))]);
        return page;
    }

    private static async Task<List<TweetMessage>> MessagesAsync(string connectionString)
    {
        var messages = new List<TweetMessage>();
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("select payload::text from queue.messages order by id", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            messages.Add(TweetMessage.Parse(reader.GetString(0)));
        }

        return messages;
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
