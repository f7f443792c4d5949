using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

[Collection(SharedPostgres.Name)]
public sealed class FullArchiveSearchTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Token = "test-bearer-token-archive-7e2a";
    private const string SearchPath = "/2/tweets/search/all";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs logs = new();
    private FakeXApi api = null!;
    private string database = null!;

    public async ValueTask InitializeAsync()
    {
        database = await postgres.CreateDatabaseAsync();
        api = await FakeXApi.StartAsync(clock, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task Pagination_ThreePages_SpacedOneSecondApart()
    {
        // Recorded pages: the tweepy full-archive page, then the tweepy recent page (whose newest
        // tweet repeats the oldest of the first), then a twarc2 full-archive page as the last.
        var first = TweepyCassette.Load("test_client_search_all_tweets.yaml");
        var second = TweepyCassette.Load("test_client_search_recent_tweets.yaml");
        var last = RecordedPages.FirstPage("two_tweets.jsonl").ToJsonString();
        api.Enqueue(first.ToScriptedResponse(), second.ToScriptedResponse(), new ScriptedResponse(200, last));

        int exitCode;
        await using (var collector = await StartAsync(Bounded()))
        {
            await clock.AdvanceUntilAsync(() => collector.HasExited, TimeSpan.FromMilliseconds(250), "The end of the bounded search");
            exitCode = await collector.WaitForExitAsync();
        }

        var requests = api.RequestsTo(SearchPath);
        Assert.Equal(0, exitCode);
        Assert.Equal(3, requests.Count);
        Assert.Equal(NextToken(first.Body), requests[1].Query["next_token"]);
        Assert.Equal(NextToken(second.Body), requests[2].Query["next_token"]);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(1), $"Second request {requests[1].ReceivedAt - requests[0].ReceivedAt} after the first.");
        Assert.True(requests[2].ReceivedAt - requests[1].ReceivedAt >= TimeSpan.FromSeconds(1), $"Third request {requests[2].ReceivedAt - requests[1].ReceivedAt} after the second.");
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIdsOfPages(first.Body, second.Body, last));
    }

    [Fact]
    public async Task Request_SendsRangeAndPageSize()
    {
        api.Enqueue(Page("two_tweets.jsonl"));

        await using (var collector = await StartAsync(Bounded(new() { ["Collector:MaxResults"] = "500" })))
        {
            await collector.WaitForExitAsync();
        }

        var query = Assert.Single(api.RequestsTo(SearchPath)).Query;
        Assert.Equal("Tweepy", query["query"]);
        Assert.Equal("2021-01-01T00:00:00Z", query["start_time"]);
        Assert.Equal("2022-10-08T00:00:00Z", query["end_time"]);
        Assert.Equal("500", query["max_results"]);
        Assert.False(query.ContainsKey("since_id"));
        Assert.Contains("note_tweet", query["tweet.fields"].Split(','));
        Assert.Equal("Bearer " + Token, api.Requests[0].Authorization);
    }

    [Fact]
    public async Task NoStart_SearchesFromFirstPost()
    {
        api.Enqueue(Page("two_tweets.jsonl"));

        await using (var collector = await StartAsync(Unbounded()))
        {
            await logs.WaitForAsync(2010);
        }

        var query = Assert.Single(api.RequestsTo(SearchPath)).Query;
        Assert.Equal("2006-03-21T00:00:00Z", query["start_time"]);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("two_tweets.jsonl"));
    }

    [Fact]
    public async Task NextPoll_SendsSinceIdInsteadOfStart()
    {
        api.Enqueue(Page("two_tweets.jsonl"));

        await using (var collector = await StartAsync(Unbounded(new() { ["Collector:StartTime"] = "2021-05-12T00:00:00Z" })))
        {
            await logs.WaitForAsync(2010);
            await clock.AdvanceUntilAsync(() => api.RequestsTo(SearchPath).Count >= 2, PollInterval, "The second poll");
            await logs.WaitForAsync(2010, 2);
        }

        var requests = api.RequestsTo(SearchPath);
        Assert.Equal("2021-05-12T00:00:00Z", requests[0].Query["start_time"]);
        Assert.Equal("1394735776701816833", requests[1].Query["since_id"]);
        Assert.False(requests[1].Query.ContainsKey("start_time"));
    }

    [Fact]
    public async Task Restart_MidPagination_ContinuesWithNextToken()
    {
        var first = TweepyCassette.Load("test_client_search_all_tweets.yaml");
        var outage = new ScriptedResponse(503, """{"title":"Service Unavailable"}""");
        api.Enqueue(first.ToScriptedResponse(), outage, outage);

        // The second page fails past its one retry: the poll gives up and the collector is killed.
        await using (var collector = await StartAsync(Unbounded(new() { ["Collector:StartTime"] = "2021-01-01T00:00:00Z", ["X:MaxRetryAttempts"] = "1" })))
        {
            await clock.AdvanceUntilAsync(() => logs.WithEventId(2011).Count > 0, TimeSpan.FromMilliseconds(250), "The failed poll");
        }

        var second = TweepyCassette.Load("test_client_search_recent_tweets.yaml");
        api.Enqueue(new ScriptedResponse(200, WithoutNextToken(second.Body)));
        await using (var restarted = await StartAsync(Unbounded(new() { ["Collector:StartTime"] = "2021-01-01T00:00:00Z" })))
        {
            await logs.WaitForAsync(2010);
        }

        var resumed = api.RequestsTo(SearchPath)[3];
        Assert.Equal(NextToken(first.Body), resumed.Query["next_token"]);
        Assert.Equal("2021-01-01T00:00:00Z", resumed.Query["start_time"]);
        Assert.False(resumed.Query.ContainsKey("since_id"));
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIdsOfPages(first.Body, second.Body));
    }

    [Fact]
    public async Task UsageCap429_WaitsForNextCapPeriod()
    {
        var capped = new ScriptedResponse(429, """{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product","status":429}""");
        api.Enqueue(capped, capped, Page("two_tweets.jsonl"));

        await using (var collector = await StartAsync(Unbounded()))
        {
            await logs.WaitForAsync(2019);
            clock.Advance(TimeSpan.FromHours(23));
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.Single(api.RequestsTo(SearchPath));

            await clock.AdvanceUntilAsync(() => api.RequestsTo(SearchPath).Count >= 3, TimeSpan.FromHours(1), "The request after two cap periods");
            await logs.WaitForAsync(2010);
        }

        var requests = api.RequestsTo(SearchPath);
        var error = Assert.Single(logs.WithEventId(2019));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("monthly post cap", error.Message, StringComparison.Ordinal);
        Assert.Single(logs.WithEventId(2020));
        Assert.Empty(logs.WithEventId(2012));
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromHours(24), $"Retried {requests[1].ReceivedAt - requests[0].ReceivedAt} after the first cap report.");
        Assert.True(requests[2].ReceivedAt - requests[1].ReceivedAt >= TimeSpan.FromHours(24), $"Retried {requests[2].ReceivedAt - requests[1].ReceivedAt} after the second cap report.");
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("two_tweets.jsonl"));
    }

    private static string NextToken(string body) => JsonNode.Parse(body)!["meta"]!["next_token"]!.GetValue<string>();

    private static string WithoutNextToken(string body)
    {
        var page = JsonNode.Parse(body)!.AsObject();
        page["meta"]!.AsObject().Remove("next_token");
        return page.ToJsonString();
    }

    private static ScriptedResponse Page(string fileName) => new(200, WithoutNextToken(RecordedPages.FirstPage(fileName).ToJsonString()));

    // A search with an end pages through its range once and stops the collector.
    private static Dictionary<string, string?> Bounded(Dictionary<string, string?>? overrides = null) =>
        With(new() { ["Collector:StartTime"] = "2021-01-01T00:00:00Z", ["Collector:EndTime"] = "2022-10-08T00:00:00Z" }, overrides);

    private static Dictionary<string, string?> Unbounded(Dictionary<string, string?>? overrides = null) => With([], overrides);

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, Dictionary<string, string?>? overrides)
    {
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    // The fake clock also times the start-up (the wait for the database), so a test moves it only
    // once the collector has started its source.
    private async Task<RunningCollector> StartAsync(Dictionary<string, string?> overrides)
    {
        var started = logs.WithEventId(2000).Count;
        var collector = Start(overrides);
        await logs.WaitForAsync(2000, started + 1);
        return collector;
    }

    private RunningCollector Start(Dictionary<string, string?> overrides)
    {
        var settings = RunningCollector.XApiSettings(api, Token);
        settings["Collector:Source"] = "full_archive_search";
        settings["Collector:Query"] = "Tweepy";
        settings["Collector:PollInterval"] = PollInterval.ToString();
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return RunningCollector.Start(database, settings, logs, clock);
    }
}
