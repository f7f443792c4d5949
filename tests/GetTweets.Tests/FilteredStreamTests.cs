using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Hosting;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

[Collection(SharedPostgres.Name)]
public sealed class FilteredStreamTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Token = "test-bearer-token-stream-91c4";
    private const string StreamPath = "/2/tweets/search/stream";
    private const string RulesPath = "/2/tweets/search/stream/rules";

    // Small enough that a step never comes near the 30-second stall timeout by itself.
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

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
    public async Task Stream_TweetsAndKeepAlives_EnqueuedOnce()
    {
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));
        stream.SendKeepAlive();
        stream.SendLine(StreamMessages.TweetLine(1));

        await using (var collector = await StartAsync())
        {
            await AdvanceUntilQueuedAsync(2);

            // Keep-alives every 20 s keep a quiet connection open well past the 30-second stall timeout.
            for (var i = 1; i <= 5; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(20));
                stream.SendKeepAlive();
                await logs.WaitForAsync(2030, 1 + i);
            }
        }

        Assert.Single(api.RequestsTo(StreamPath));
        Assert.Empty(logs.WithEventId(2026));
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(1)]);
    }

    [Fact]
    public async Task Stall_ThirtySecondsSilent_Reconnects()
    {
        var first = api.EnqueueStream();
        first.SendLine(StreamMessages.TweetLine(0));
        var second = api.EnqueueStream();
        second.SendLine(StreamMessages.TweetLine(1));

        await using (var collector = await StartAsync())
        {
            await AdvanceUntilQueuedAsync(1);
            clock.Advance(TimeSpan.FromSeconds(25));
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.Single(api.RequestsTo(StreamPath));

            await clock.AdvanceUntilAsync(() => api.RequestsTo(StreamPath).Count >= 2, TimeSpan.FromSeconds(1), "The reconnect after the stall");
            await AdvanceUntilQueuedAsync(2);
        }

        var requests = api.RequestsTo(StreamPath);
        await first.WaitUntilEndedAsync();
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(30), $"Reconnected {requests[1].ReceivedAt - requests[0].ReceivedAt} after the last byte.");
        Assert.Equal(1, api.MaxOpenStreams);
        Assert.Contains("No data", Assert.Single(logs.WithEventId(2026)).Message, StringComparison.Ordinal);
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(1)]);
    }

    [Fact]
    public async Task OperationalDisconnect_BothSpellings_Reconnect()
    {
        var first = api.EnqueueStream();
        first.SendLine(StreamMessages.TweetLine(0));
        first.SendLine(StreamMessages.OperationalDisconnect("disconnect_type", "UpstreamOperationalDisconnect"));
        var second = api.EnqueueStream();
        second.SendLine(StreamMessages.TweetLine(1));
        second.SendLine(StreamMessages.OperationalDisconnect("operational_disconnect_type", "ForceDisconnect"));
        var third = api.EnqueueStream();
        third.SendLine(StreamMessages.TweetLine(2));

        await using (var collector = await StartAsync())
        {
            await clock.AdvanceUntilAsync(() => api.RequestsTo(StreamPath).Count >= 3, Step, "The second reconnect");
            await AdvanceUntilQueuedAsync(3);
        }

        var disconnects = logs.WithEventId(2028);
        Assert.Equal(2, disconnects.Count);
        Assert.Contains("UpstreamOperationalDisconnect", disconnects[0].Message, StringComparison.Ordinal);
        Assert.Contains("ForceDisconnect", disconnects[1].Message, StringComparison.Ordinal);
        await first.WaitUntilEndedAsync();
        await second.WaitUntilEndedAsync();
        Assert.Equal(1, api.MaxOpenStreams);
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(1), StreamMessages.IdOf(2)]);
    }

    [Fact]
    public async Task TruncatedLine_SetAsideAndStreamGoesOn()
    {
        var truncated = $$"""{"data":{"id":"{{StreamMessages.IdOf(1)}}","text":"RT this post was cut of""";
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));
        stream.SendLine(truncated);
        stream.SendLine(StreamMessages.TweetLine(2));

        await using (var collector = await StartAsync())
        {
            await AdvanceUntilQueuedAsync(2);
        }

        Assert.Single(api.RequestsTo(StreamPath));
        Assert.Contains("Line 2 of filtered stream connection 1", Assert.Single(logs.WithEventId(2029)).Message, StringComparison.Ordinal);
        Assert.Equal(2L, await QueueContents.ScalarAsync<long>(database, "select line_number from collector.rejected_lines"));
        Assert.Equal(truncated, await QueueContents.ScalarAsync<string>(database, "select raw_text from collector.rejected_lines"));
        Assert.StartsWith("filtered_stream connection 1 ", await QueueContents.ScalarAsync<string>(database, "select file_path from collector.rejected_lines"), StringComparison.Ordinal);
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(2)]);
    }

    [Fact]
    public async Task MatchingRuleIds_NumberAndString_KeptAsStrings()
    {
        // 1600000000000000001 lies beyond 2^53, so a detour through a double would change its digits.
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0, StreamMessages.Rule(1600000000000000001L, "brexit")));
        stream.SendLine(StreamMessages.TweetLine(1, StreamMessages.Rule("1600000000000000002", "kpop"), StreamMessages.Rule(1600000000000000001L, "brexit")));

        await using (var collector = await StartAsync())
        {
            await AdvanceUntilQueuedAsync(2);
        }

        var numeric = await MatchingRulesAsync(StreamMessages.IdOf(0));
        var mixed = await MatchingRulesAsync(StreamMessages.IdOf(1));
        Assert.Equal(JsonValueKind.String, numeric[0].GetProperty("id").ValueKind);
        Assert.Equal("1600000000000000001", numeric[0].GetProperty("id").GetString());
        Assert.Equal("brexit", numeric[0].GetProperty("tag").GetString());
        Assert.Equal("1600000000000000002", mixed[0].GetProperty("id").GetString());
        Assert.Equal("1600000000000000001", mixed[1].GetProperty("id").GetString());
        Assert.Equal("kpop, brexit", await QueueContents.ScalarAsync<string>(database, $"select payload->'source'->>'name' from queue.messages where message_key = '{StreamMessages.IdOf(1)}'"));
    }

    [Fact]
    public async Task RulesSync_AddsDeletesAndKeepsUnchanged()
    {
        api.StoreRule("1500000000000000001", "#brexit", "brexit");
        api.StoreRule("1500000000000000002", "#kpop", "old-tag");
        api.StoreRule("1500000000000000003", "cats", null);

        await using (var collector = await StartAsync(new()
        {
            ["Collector:Rules:0:Value"] = "#brexit",
            ["Collector:Rules:0:Tag"] = "brexit",
            ["Collector:Rules:1:Value"] = "#kpop",
            ["Collector:Rules:1:Tag"] = "kpop",
            ["Collector:Rules:2:Value"] = "dogs lang:en",
        }))
        {
            await api.WaitForRequestsAsync(4);
        }

        var rules = api.Rules;
        Assert.Equal(3, rules.Count);
        Assert.Contains(new FakeRule("1500000000000000001", "#brexit", "brexit"), rules);
        Assert.Contains(rules, r => r is { Value: "#kpop", Tag: "kpop" } && r.Id != "1500000000000000002");
        Assert.Contains(rules, r => r is { Value: "dogs lang:en", Tag: null });

        var changes = api.RequestsTo(RulesPath).Where(r => r.Method == "POST").Select(r => JsonDocument.Parse(r.Body!).RootElement).ToList();
        Assert.Equal(2, changes.Count);
        Assert.Equal(["1500000000000000002", "1500000000000000003"], changes[0].GetProperty("delete").GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["#kpop", "dogs lang:en"], changes[1].GetProperty("add").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        Assert.False(changes[1].GetProperty("add")[1].TryGetProperty("tag", out _));
        Assert.Equal(StreamPath, api.Requests[3].Path);
        Assert.Contains("2 added, 2 deleted, 1 unchanged", Assert.Single(logs.WithEventId(2021)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesSync_UnchangedRules_PostsNothing()
    {
        api.StoreRule("1500000000000000001", "#brexit", "brexit");

        await using (var collector = await StartAsync())
        {
            await api.WaitForRequestsAsync(2);
        }

        Assert.DoesNotContain(api.Requests, r => r.Method == "POST");
        Assert.Equal([new FakeRule("1500000000000000001", "#brexit", "brexit")], api.Rules);
    }

    [Fact]
    public async Task RulesSync_ApiUnavailable_RetriesThenStreams()
    {
        // One retry inside the request, then the sync waits 5 s, as after an HTTP error of the stream.
        var unavailable = new ScriptedResponse(503, """{"title":"Service Unavailable"}""");
        api.EnqueueRulesError(unavailable);
        api.EnqueueRulesError(unavailable);
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));

        await using (var collector = StartWithoutWaiting(new() { ["X:MaxRetryAttempts"] = "1" }))
        {
            await logs.WaitForAsync(2034);
            await clock.AdvanceUntilAsync(() => api.RequestsTo(StreamPath).Count >= 1, Step, "The stream connection after the rule sync");
            await AdvanceUntilQueuedAsync(1);
        }

        var rulesRequests = api.RequestsTo(RulesPath);
        Assert.True(rulesRequests[2].ReceivedAt - rulesRequests[1].ReceivedAt >= TimeSpan.FromSeconds(5), $"Retried the sync {rulesRequests[2].ReceivedAt - rulesRequests[1].ReceivedAt} after it failed.");
        Assert.Single(logs.WithEventId(2034));
        Assert.Equal([new FakeRule("1600000000000000001", "#brexit", "brexit")], api.Rules);
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0)]);
    }

    [Fact]
    public async Task RuleRejected_ExitsNamingRule()
    {
        api.RejectRuleValue("#brexit (");

        int exitCode;
        await using (var collector = StartWithoutWaiting(new() { ["Collector:Rules:0:Value"] = "#brexit (" }))
        {
            exitCode = await collector.WaitForExitAsync();
        }

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        var entry = Assert.Single(logs.WithEventId(2024));
        Assert.Equal(LogLevel.Critical, entry.Level);
        Assert.Contains("'#brexit ('", entry.Message, StringComparison.Ordinal);
        Assert.Empty(api.RequestsTo(StreamPath));
    }

    [Fact]
    public async Task ConnectErrors_BackOffAsDocumented()
    {
        var unavailable = new ScriptedResponse(503, """{"title":"Service Unavailable"}""");
        api.EnqueueStreamError(unavailable);
        api.EnqueueStreamError(unavailable);
        api.EnqueueStreamError(new ScriptedResponse(429, """{"title":"ConnectionException","detail":"This stream is currently at the maximum allowed connection limit.","connection_issue":"TooManyConnections","type":"https://api.twitter.com/2/problems/streaming-connection"}"""));
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));

        await using (var collector = await StartAsync())
        {
            await clock.AdvanceUntilAsync(() => api.RequestsTo(StreamPath).Count >= 4, TimeSpan.FromSeconds(1), "The fourth connection attempt");
            await AdvanceUntilQueuedAsync(1);
        }

        var requests = api.RequestsTo(StreamPath);
        // The 1-second steps of the fake clock may add a little; the exact values are unit-tested.
        Assert.InRange(requests[1].ReceivedAt - requests[0].ReceivedAt, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(9));
        Assert.InRange(requests[2].ReceivedAt - requests[1].ReceivedAt, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(19));
        Assert.InRange(requests[3].ReceivedAt - requests[2].ReceivedAt, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(119));
        Assert.Equal(3, logs.WithEventId(2027).Count);
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0)]);
    }

    [Fact]
    public async Task UsageCap429_OnConnect_WaitsForCapPeriod()
    {
        api.EnqueueStreamError(new ScriptedResponse(429, """{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product","status":429}"""));
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));

        await using (var collector = await StartAsync())
        {
            await logs.WaitForAsync(2019);
            clock.Advance(TimeSpan.FromHours(23));
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.Single(api.RequestsTo(StreamPath));

            await clock.AdvanceUntilAsync(() => api.RequestsTo(StreamPath).Count >= 2, TimeSpan.FromHours(1), "The connection after the cap period");
            await AdvanceUntilQueuedAsync(1);
        }

        var requests = api.RequestsTo(StreamPath);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromHours(24), $"Reconnected {requests[1].ReceivedAt - requests[0].ReceivedAt} after the cap report.");
        Assert.Equal(LogLevel.Error, Assert.Single(logs.WithEventId(2019)).Level);
        Assert.Empty(logs.WithEventId(2027));
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0)]);
    }

    [Fact]
    public async Task Batch_FullBatch_CommitsWithoutWaiting()
    {
        var stream = api.EnqueueStream();
        for (var i = 0; i < 7; i++)
        {
            stream.SendLine(StreamMessages.TweetLine(i));
        }

        await using (var collector = await StartAsync(new() { ["Collector:StreamBatchSize"] = "3" }))
        {
            // The clock does not move, so only full batches commit.
            await logs.WaitForAsync(2008, 2);
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.Equal(6, (await QueueContents.KeysAsync(database)).Count);

            clock.Advance(TimeSpan.FromSeconds(1));
            await logs.WaitForAsync(2008, 3);
        }

        Assert.Equal(3, logs.WithEventId(2008).Count);
        await QueueContents.AssertHoldsEachOnceAsync(database, [.. Enumerable.Range(0, 7).Select(StreamMessages.IdOf)]);
    }

    [Fact]
    public async Task Stop_PendingBatch_Committed()
    {
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));
        stream.SendKeepAlive();

        await using (var collector = await StartAsync())
        {
            // The keep-alive follows the tweet, so once it is logged the tweet has been read.
            await logs.WaitForAsync(2030);
        }

        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0)]);
    }

    [Fact]
    public async Task Redelivery_AfterReconnect_EnqueuedOnce()
    {
        var first = api.EnqueueStream();
        first.SendLine(StreamMessages.TweetLine(0));
        first.Close();
        var second = api.EnqueueStream();
        second.SendLine(StreamMessages.TweetLine(0));
        second.SendLine(StreamMessages.TweetLine(1));

        // Batches of one tweet: the repeated tweet commits in a transaction of its own and meets the seen-tweets table.
        await using (var collector = await StartAsync(new() { ["Collector:StreamBatchSize"] = "1" }))
        {
            await clock.AdvanceUntilAsync(() => logs.WithEventId(2008).Count >= 3, Step, "The commits of three stream lines");
        }

        Assert.Equal(2, api.RequestsTo(StreamPath).Count);
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(1)]);
    }

    [Fact]
    public async Task Batch_SameTweetTwice_EnqueuedOnce()
    {
        var stream = api.EnqueueStream();
        stream.SendLine(StreamMessages.TweetLine(0));
        stream.SendLine(StreamMessages.TweetLine(1));
        stream.SendLine(StreamMessages.TweetLine(0));

        await using (var collector = await StartAsync())
        {
            await clock.AdvanceUntilAsync(() => logs.WithEventId(2008).Count >= 1, Step, "The commit of the batch");
        }

        Assert.Single(logs.WithEventId(2008));
        Assert.Empty(logs.WithEventId(2032));
        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(1)]);
    }

    private async Task<List<JsonElement>> MatchingRulesAsync(string tweetId)
    {
        var json = await QueueContents.ScalarAsync<string>(database, $"select (payload->'matching_rules')::text from queue.messages where message_key = '{tweetId}'");
        return [.. JsonDocument.Parse(json).RootElement.EnumerateArray()];
    }

    private async Task AdvanceUntilQueuedAsync(int count) =>
        await clock.AdvanceUntilAsync(async () => (await QueueContents.KeysAsync(database)).Count >= count, Step, $"{count} queued tweets");

    // The fake clock also times the start-up (the wait for the database), so a test moves it only
    // once the collector has started its source.
    private async Task<RunningCollector> StartAsync(Dictionary<string, string?>? overrides = null)
    {
        var collector = StartWithoutWaiting(overrides);
        await logs.WaitForAsync(2000);
        return collector;
    }

    private RunningCollector StartWithoutWaiting(Dictionary<string, string?>? overrides = null)
    {
        var settings = RunningCollector.XApiSettings(api, Token);
        settings["Collector:Source"] = "filtered_stream";
        if (overrides is null || !overrides.Keys.Any(k => k.StartsWith("Collector:Rules:", StringComparison.Ordinal)))
        {
            settings["Collector:Rules:0:Value"] = "#brexit";
            settings["Collector:Rules:0:Tag"] = "brexit";
        }

        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return RunningCollector.Start(database, settings, logs, clock);
    }
}
