using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Hosting;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

[Collection(SharedPostgres.Name)]
public sealed class RecentSearchTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Token = "test-bearer-token-5c1d";
    private const string BrexitNewestId = "1440716895355764743";
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
    public async Task Poll_TwoPages_FollowsNextToken()
    {
        // brexit.jsonl was recorded with a next_token, so kpop.jsonl is served as the page that token names.
        var brexitToken = RecordedPages.FirstPage("brexit.jsonl")["meta"]!["next_token"]!.GetValue<string>();
        api.Enqueue(Page("brexit.jsonl", keepNextToken: true), Page("kpop.jsonl"));

        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2010);
        }

        Assert.False(api.Requests[0].Query.ContainsKey("next_token"));
        Assert.Equal(brexitToken, api.Requests[1].Query["next_token"]);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl", "kpop.jsonl"));
    }

    [Fact]
    public async Task Poll_Request_AsksForWholePosts()
    {
        api.Enqueue(Page("brexit.jsonl"));

        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2010);
        }

        var query = api.Requests[0].Query;
        Assert.Equal("#brexit", query["query"]);
        Assert.Equal("100", query["max_results"]);
        Assert.Contains("note_tweet", query["tweet.fields"].Split(','));
        Assert.Contains("referenced_tweets.id.author_id", query["expansions"].Split(','));
        Assert.Contains("attachments.poll_ids", query["expansions"].Split(','));
        Assert.Equal("Bearer " + Token, api.Requests[0].Authorization);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task Poll_RangeSettings_SentThenStops()
    {
        api.Enqueue(Page("brexit.jsonl"));

        int exitCode;
        await using (var collector = await StartCollectorAsync(new()
        {
            ["Collector:StartTime"] = "2021-09-22T00:00:00Z",
            ["Collector:UntilId"] = "1440716895355764744",
            ["Collector:MaxResults"] = "50",
        }))
        {
            exitCode = await collector.WaitForExitAsync();
        }

        var query = Assert.Single(api.Requests).Query;
        Assert.Equal(0, exitCode);
        Assert.Equal("2021-09-22T00:00:00Z", query["start_time"]);
        Assert.Equal("1440716895355764744", query["until_id"]);
        Assert.Equal("50", query["max_results"]);
        Assert.Single(logs.WithEventId(2018));
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task NextPoll_SendsNewestIdAsSinceId()
    {
        api.Enqueue(Page("brexit.jsonl"));

        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2010);
            await AdvanceUntilRequestAsync(2, PollInterval);
            await logs.WaitForAsync(2010, 2);
        }

        Assert.False(api.Requests[0].Query.ContainsKey("since_id"));
        Assert.Equal(BrexitNewestId, api.Requests[1].Query["since_id"]);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task Restart_MidPoll_ContinuesWithNextToken()
    {
        var brexitToken = RecordedPages.FirstPage("brexit.jsonl")["meta"]!["next_token"]!.GetValue<string>();
        var outage = new ScriptedResponse(503, """{"title":"Service Unavailable"}""");
        api.Enqueue(Page("brexit.jsonl", keepNextToken: true), outage, outage);

        // The second page fails past its retry: the poll gives up and the collector is stopped.
        await using (var collector = await StartCollectorAsync(new() { ["X:MaxRetryAttempts"] = "1" }))
        {
            await logs.WaitForAsync(2011);
        }

        api.Enqueue(Page("kpop.jsonl"));
        await using (var restarted = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2010);
        }

        var resumed = api.Requests[3];
        Assert.Equal(brexitToken, resumed.Query["next_token"]);
        Assert.False(resumed.Query.ContainsKey("since_id"));
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl", "kpop.jsonl"));
    }

    [Fact]
    public async Task RateLimited429_WaitsUntilReset()
    {
        var resetAt = clock.GetUtcNow().AddSeconds(120);
        api.Enqueue(
            new ScriptedResponse(429, """{"title":"Too Many Requests","detail":"Too Many Requests","status":429}""", FakeXApi.RateLimitHeaders(0, resetAt)),
            Page("brexit.jsonl"));

        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2012);
            await AdvanceUntilRequestAsync(2, TimeSpan.FromSeconds(10));
            await logs.WaitForAsync(2010);
        }

        Assert.True(api.Requests[1].ReceivedAt >= resetAt, $"Retried at {api.Requests[1].ReceivedAt:O}, before the reset at {resetAt:O}.");
        Assert.Single(logs.WithEventId(2012));
        Assert.Single(logs.WithEventId(2013));
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task RateLimited429WithoutReset_BacksOffSixtySeconds()
    {
        api.Enqueue(new ScriptedResponse(429, """{"title":"Too Many Requests"}"""), Page("brexit.jsonl"));

        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2012);
            await AdvanceUntilRequestAsync(2, TimeSpan.FromSeconds(10));
            await logs.WaitForAsync(2010);
        }

        Assert.True(api.Requests[1].ReceivedAt - api.Requests[0].ReceivedAt >= TimeSpan.FromSeconds(60));
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task ServerError503_RetriedThenCollected()
    {
        var outage = new ScriptedResponse(503, """{"title":"Service Unavailable"}""");
        api.Enqueue(outage, outage, Page("brexit.jsonl"));

        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2010);
        }

        Assert.Equal(3, api.Requests.Count);
        Assert.Equal(2, logs.WithEventId(2014).Count);
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task Unauthorized401_ExitsNamingSetting()
    {
        api.Enqueue(new ScriptedResponse(401, """{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"""));

        int exitCode;
        await using (var collector = await StartCollectorAsync())
        {
            exitCode = await collector.WaitForExitAsync();
        }

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains("X__BearerToken", Assert.Single(logs.WithEventId(2015)).Message, StringComparison.Ordinal);
        await QueueContents.AssertHoldsEachOnceAsync(database, []);
    }

    [Fact]
    public async Task BearerToken_AppearsInNoLogLine()
    {
        // Every path that logs: a retry, a rate-limit wait, committed pages, and a 401 whose body
        // echoes the token back.
        var resetAt = clock.GetUtcNow().AddSeconds(30);
        api.Enqueue(
            new ScriptedResponse(503, """{"title":"Service Unavailable"}"""),
            new ScriptedResponse(429, """{"title":"Too Many Requests"}""", FakeXApi.RateLimitHeaders(0, resetAt)),
            Page("brexit.jsonl", keepNextToken: true),
            new ScriptedResponse(401, $$"""{"title":"Unauthorized","detail":"Bearer {{Token}} is not valid"}"""));

        int exitCode;
        await using (var collector = await StartCollectorAsync())
        {
            await logs.WaitForAsync(2012);
            await AdvanceUntilRequestAsync(3, TimeSpan.FromSeconds(10));
            exitCode = await collector.WaitForExitAsync();
        }

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.All(api.Requests, r => Assert.Equal("Bearer " + Token, r.Authorization));
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.FullText.Contains(Token, StringComparison.Ordinal));
        await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
    }

    [Fact]
    public async Task BearerTokenFile_SendsTrimmedToken()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "token-from-file\n", TestContext.Current.CancellationToken);
            api.Enqueue(Page("brexit.jsonl"));

            await using (var collector = await StartCollectorAsync(new() { ["X:BearerToken"] = null, ["X:BearerTokenFile"] = file }))
            {
                await logs.WaitForAsync(2010);
            }

            Assert.Equal("Bearer token-from-file", api.Requests[0].Authorization);
            await QueueContents.AssertHoldsEachOnceAsync(database, RecordedPages.DistinctTweetIds("brexit.jsonl"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A recorded page as the fake serves it; without <paramref name="keepNextToken"/> it is the last page of its poll.</summary>
    private static ScriptedResponse Page(string fileName, bool keepNextToken = false)
    {
        var page = RecordedPages.FirstPage(fileName);
        if (!keepNextToken && page["meta"] is JsonObject meta)
        {
            meta.Remove("next_token");
        }

        return new ScriptedResponse(200, page.ToJsonString());
    }

    /// <summary>
    /// Moves the fake clock on by <paramref name="step"/> until request number <paramref name="count"/>
    /// arrives. Steps repeat because the collector may start its wait only after an earlier step.
    /// </summary>
    private async Task AdvanceUntilRequestAsync(int count, TimeSpan step)
    {
        for (var i = 0; i < 500 && api.Requests.Count < count; i++)
        {
            clock.Advance(step);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await api.WaitForRequestsAsync(count);
    }

    private Task<RunningCollector> StartCollectorAsync(Dictionary<string, string?>? overrides = null)
    {
        var settings = RunningCollector.XApiSettings(api, Token);
        settings["Collector:Query"] = "#brexit";
        settings["Collector:PollInterval"] = PollInterval.ToString();
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return Task.FromResult(RunningCollector.Start(database, settings, logs, clock));
    }
}
