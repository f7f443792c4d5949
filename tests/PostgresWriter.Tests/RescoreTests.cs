using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.Testing;
using Pipeline.Vader;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary><c>postgres-writer rescore</c> as the binary runs it: the real host, migrations and worker.</summary>
[Collection(UsesPostgres.Name)]
public sealed class RescoreTests(PostgresFixture fixture)
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    // Small enough that the recorded page takes many batches.
    private const string BatchSize = "7";

    [Fact]
    public async Task Rescore_StaleLexiconVersion_RecomputesRows()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);
        await database.HandleAsync(envelopes.ToMessages());
        await database.ScalarAsync<int>(
            "update public.tweet_sentiment set lexicon_version = 'old-lexicon', negative = 0, neutral = 0, positive = 0, compound = 0.5, label = 'positive' where tweet_id % 2 = 0");
        var stale = await database.QueryAsync<long>("select tweet_id from public.tweet_sentiment where lexicon_version = 'old-lexicon'");

        var exitCode = await RunRescoreAsync(database);

        Assert.Equal(0, exitCode);
        Assert.True(stale.Count > 10, $"The test should make many rows stale; it made {stale.Count}.");
        var expected = ExpectedSentiment.ScoredTexts(envelopes);
        var stored = await database.ReadSentimentAsync();
        foreach (var id in stale)
        {
            var (text, source) = expected[id];
            Assert.Equal(ExpectedSentiment.Score(text), stored[id].Scores);
            Assert.Equal(ExpectedSentiment.Label(ExpectedSentiment.Score(text)), stored[id].Label);
            Assert.Equal(source, stored[id].ScoredTextSource);
            Assert.Equal(VaderScorer.Default.LexiconVersion, stored[id].LexiconVersion);
        }
    }

    [Fact]
    public async Task Rescore_CurrentLexiconVersion_LeavesRows()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.FromRecordedPages(Brexit).ToMessages());

        // Wrong scores under the current version show whether the rescore touched a row.
        await database.ScalarAsync<int>("update public.tweet_sentiment set compound = 0.999 where tweet_id % 2 = 1");
        await database.ScalarAsync<int>("update public.tweet_sentiment set lexicon_version = 'old-lexicon' where tweet_id % 2 = 0");
        var before = await database.ReadSentimentAsync();

        var exitCode = await RunRescoreAsync(database);

        Assert.Equal(0, exitCode);
        var after = await database.ReadSentimentAsync();
        var current = before.Values.Where(r => r.TweetId % 2 == 1).ToList();
        Assert.NotEmpty(current);
        Assert.All(current, row => Assert.Equal(row, after[row.TweetId]));
    }

    [Fact]
    public async Task Rescore_MissingScores_AddsRows()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);
        await database.HandleAsync(envelopes.ToMessages());
        var written = await database.ReadSentimentAsync();

        // As after the migration that added the table to a database that already held tweets.
        await database.ScalarAsync<int>("delete from public.tweet_sentiment");
        var exitCode = await RunRescoreAsync(database);

        Assert.Equal(0, exitCode);
        var rescored = await database.ReadSentimentAsync();
        Assert.Equal(written.Keys.Order(), rescored.Keys.Order());
        Assert.All(rescored.Values, row => Assert.Equal(written[row.TweetId].Scores, row.Scores));
        Assert.All(rescored.Values, row => Assert.Equal(written[row.TweetId].ScoredTextSource, row.ScoredTextSource));
    }

    [Fact]
    public async Task Rescore_Retweet_ScoresStoredOriginal()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(1, SentimentTests.RetweetOfLongPost(Envelopes.CollectedAt, includeOriginal: true)));
        await database.ScalarAsync<int>("delete from public.tweet_sentiment");

        var exitCode = await RunRescoreAsync(database);

        Assert.Equal(0, exitCode);
        var row = (await database.ReadSentimentAsync())[102];
        Assert.Equal(ExpectedSentiment.Score(SentimentTests.LongText), row.Scores);
        Assert.Equal("retweeted_original", row.ScoredTextSource);
    }

    [Fact]
    public async Task Rescore_NothingOutdated_ChangesNothing()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.FromRecordedPages(Brexit).ToMessages());
        var before = await database.ReadSentimentAsync();

        var exitCode = await RunRescoreAsync(database);

        Assert.Equal(0, exitCode);
        Assert.Equal(before.Values.OrderBy(r => r.TweetId), (await database.ReadSentimentAsync()).Values.OrderBy(r => r.TweetId));
    }

    [Fact]
    public async Task Rescore_FreshDatabase_CreatesTablesAndExitsZero()
    {
        var connectionString = await fixture.CreateDatabaseAsync();

        var exitCode = await RunRescoreAsync(connectionString, []);

        Assert.Equal(0, exitCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    public async Task Rescore_InvalidBatchSize_ExitsWithFatalCode(string batchSize)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        var exitCode = await RunRescoreAsync(database.ConnectionString, new() { ["Rescore:BatchSize"] = batchSize });

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "rescore" }, true)]
    [InlineData(new[] { "rescore", "--Rescore:BatchSize=10" }, true)]
    [InlineData(new[] { "--Queue:BatchSize=10" }, false)]
    [InlineData(new[] { "/Queue:BatchSize=10" }, false)]
    [InlineData(new[] { "rescor" }, true)]
    public void IsCommand_Arguments_DetectsCommand(string[] args, bool expected)
    {
        Assert.Equal(expected, WriterCommands.IsCommand(args));
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_ReturnsUsageCode()
    {
        var exitCode = await WriterCommands.RunAsync(["rescor"]);

        Assert.Equal(WriterCommands.UsageExitCode, exitCode);
    }

    private static Task<int> RunRescoreAsync(WriterDatabase database) =>
        RunRescoreAsync(database.ConnectionString, new()
        {
            ["Rescore:BatchSize"] = BatchSize,
            ["Rescore:ProgressInterval"] = "00:00:00.001",
        });

    private static async Task<int> RunRescoreAsync(string connectionString, Dictionary<string, string?> settings)
    {
        using var host = BuildHost(connectionString, settings);
        return await host.RunRescoreAsync();
    }

    private static IHost BuildHost(string connectionString, Dictionary<string, string?> settings)
    {
        // No default sources, so the machine's environment variables cannot change the test.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:Postgres"] = connectionString,
        });
        builder.AddPipelineDefaults();
        builder.AddSentimentRescore();
        return builder.Build();
    }
}
