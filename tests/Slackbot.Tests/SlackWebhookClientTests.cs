using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Slackbot.Webhook;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>The webhook client against the stand-in on 127.0.0.1, on a fake clock; no database.</summary>
public sealed class SlackWebhookClientTests : IAsyncLifetime
{
    private const string Payload = """{"text":"hello"}""";

    private BotHost bot = null!;
    private FakeSlackWebhook slack = null!;

    public async ValueTask InitializeAsync()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(BotHost.Start);
        slack = await FakeSlackWebhook.StartAsync(clock, TestContext.Current.CancellationToken);
        bot = BotHost.Create(slack.Url, clock: clock);
    }

    public async ValueTask DisposeAsync()
    {
        await bot.DisposeAsync();
        await slack.DisposeAsync();
    }

    [Fact]
    public async Task Post_Ok_ReturnsPostedWithBody()
    {
        var result = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.Posted, result.Outcome);
        Assert.Equal(Payload, Assert.Single(slack.Posts).Body);
        Assert.StartsWith("application/json", slack.Posts[0].ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ThreeInARow_AtLeastOneSecondApart()
    {
        await bot.AdvanceUntilDoneAsync(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                await bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken);
            }

            return 0;
        });

        Assert.Equal(3, slack.Posts.Count);
        for (var i = 1; i < slack.Posts.Count; i++)
        {
            var gap = slack.Posts[i].ReceivedAt - slack.Posts[i - 1].ReceivedAt;
            Assert.True(gap >= PostRateLimiter.MinInterval, $"Posts {i} and {i + 1} were {gap} apart.");
        }
    }

    [Fact]
    public async Task Post_ConcurrentCallers_AtLeastOneSecondApart()
    {
        await bot.AdvanceUntilDoneAsync(async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken)));
            return 0;
        });

        var times = slack.Posts.Select(p => p.ReceivedAt).Order().ToList();
        Assert.Equal(4, times.Count);
        for (var i = 1; i < times.Count; i++)
        {
            Assert.True(times[i] - times[i - 1] >= PostRateLimiter.MinInterval, $"Posts {i} and {i + 1} were {times[i] - times[i - 1]} apart.");
        }
    }

    [Fact]
    public async Task Post_TooManyRequests_WaitsRetryAfter()
    {
        slack.Enqueue(new ScriptedResponse(429, "rate_limited", new Dictionary<string, string> { ["Retry-After"] = "90" }));

        var result = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken), TimeSpan.FromMilliseconds(500));

        Assert.Equal(PostOutcome.Posted, result.Outcome);
        Assert.Equal(2, slack.Posts.Count);
        var waited = slack.Posts[1].ReceivedAt - slack.Posts[0].ReceivedAt;
        Assert.True(waited >= TimeSpan.FromSeconds(90), $"The retry came {waited} after the 429.");
        Assert.Single(bot.Logs.WithEventId(5007));
    }

    [Fact]
    public async Task Post_TooManyRequests_HoldsBackOtherCallers()
    {
        slack.Enqueue(new ScriptedResponse(429, "rate_limited", new Dictionary<string, string> { ["Retry-After"] = "60" }));

        await bot.AdvanceUntilDoneAsync(async () =>
        {
            var first = bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken);
            while (slack.Posts.Count == 0)
            {
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }

            // Give the 429 time to arrive before the second caller asks for a turn.
            await Task.Delay(200, TestContext.Current.CancellationToken);
            await bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken);
            return await first;
        }, TimeSpan.FromMilliseconds(500));

        Assert.Equal(3, slack.Posts.Count);
        Assert.All(slack.Posts.Skip(1), post => Assert.True(post.ReceivedAt - slack.Posts[0].ReceivedAt >= TimeSpan.FromSeconds(60), $"A post came {post.ReceivedAt - slack.Posts[0].ReceivedAt} after the 429."));
    }

    [Fact]
    public async Task Post_ServerErrors_RetriedUntilPosted()
    {
        slack.Enqueue(new ScriptedResponse(500, "rollup_error"), new ScriptedResponse(503, "service unavailable"));

        var result = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.Posted, result.Outcome);
        Assert.Equal(3, slack.Posts.Count);
        Assert.Equal(2, bot.Logs.WithEventId(5008).Count);
    }

    [Fact]
    public async Task Post_ServerErrorsExhausted_NotDelivered()
    {
        slack.Enqueue([.. Enumerable.Repeat(new ScriptedResponse(500, "rollup_error"), SlackOptions.DefaultMaxRetryAttempts + 1)]);

        var result = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.NotDelivered, result.Outcome);
        Assert.Equal(SlackOptions.DefaultMaxRetryAttempts + 1, slack.Posts.Count);
        Assert.Contains("HTTP 500 rollup_error", result.Detail, StringComparison.Ordinal);
        Assert.Null(bot.Webhook.Dead);
    }

    [Theory]
    [InlineData(404, "no_service")]
    [InlineData(403, "invalid_token")]
    [InlineData(410, "channel_is_archived")]
    public async Task Post_DeadWebhook_StopsPosting(int status, string error)
    {
        slack.Enqueue(new ScriptedResponse(status, error));

        var first = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));
        var second = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.WebhookDead, first.Outcome);
        Assert.Equal(PostOutcome.WebhookDead, second.Outcome);
        Assert.Single(slack.Posts);
        var logged = Assert.Single(bot.Logs.WithEventId(5005));
        Assert.Contains(error, logged.Message, StringComparison.Ordinal);
        Assert.Contains("Slack__WebhookUrl", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_DeadWebhook_Unhealthy()
    {
        var check = new SlackWebhookHealthCheck(bot.Webhook);
        var before = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        slack.Enqueue(new ScriptedResponse(410, "channel_is_archived"));

        await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));
        var after = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Contains("channel_is_archived", after.Description, StringComparison.Ordinal);
        Assert.Contains("Slack__WebhookUrl", after.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BadRequest_RejectedWebhookAlive()
    {
        slack.Enqueue(new ScriptedResponse(400, "invalid_blocks"));

        var result = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.Rejected, result.Outcome);
        Assert.Equal("HTTP 400 invalid_blocks", result.Detail);
        Assert.Null(bot.Webhook.Dead);
    }

    [Fact]
    public async Task Post_Timeout_OutcomeUnknownNotRetried()
    {
        await using var shortTimeout = BotHost.Create(slack.Url, settings: new Dictionary<string, string?> { ["Slack:RequestTimeout"] = "00:00:05" }, clock: bot.Clock);
        slack.Enqueue(new ScriptedResponse(200, Hang: true));

        var result = await shortTimeout.AdvanceUntilDoneAsync(() => shortTimeout.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.OutcomeUnknown, result.Outcome);
        Assert.Single(slack.Posts);
    }

    [Fact]
    public async Task Post_ConnectionRefused_NotDeliveredAfterRetries()
    {
        var closedPort = ClosedLoopbackPort();
        await using var refused = BotHost.Create($"http://127.0.0.1:{closedPort}{FakeSlackWebhook.SecretPath}", clock: bot.Clock);

        var result = await refused.AdvanceUntilDoneAsync(() => refused.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.NotDelivered, result.Outcome);
        Assert.Equal(SlackOptions.DefaultMaxRetryAttempts, refused.Logs.WithEventId(5008).Count);
    }

    [Fact]
    public async Task Post_Cancelled_ThrowsBeforeSending()
    {
        slack.Enqueue(new ScriptedResponse(500, "rollup_error"));
        using var stopping = new CancellationTokenSource();

        var post = bot.Webhook.PostAsync(Payload, stopping.Token);
        while (slack.Posts.Count == 0)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        await Task.Delay(100, TestContext.Current.CancellationToken);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);
        Assert.Single(slack.Posts);
    }

    [Fact]
    public async Task Logs_EveryOutcome_NeverContainWebhookPath()
    {
        slack.Enqueue(
            new ScriptedResponse(500, $"echo {FakeSlackWebhook.SecretPath}"),
            new ScriptedResponse(429, "rate_limited", new Dictionary<string, string> { ["Retry-After"] = "2" }),
            new ScriptedResponse(200),
            new ScriptedResponse(400, $"invalid_payload at {slack.Url}"),
            new ScriptedResponse(404, "no_service"));
        var refusedUrl = $"http://127.0.0.1:{ClosedLoopbackPort()}{FakeSlackWebhook.SecretPath}";
        await using var refused = BotHost.Create(refusedUrl, clock: bot.Clock);

        var results = new List<PostResult>();
        await bot.AdvanceUntilDoneAsync(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                results.Add(await bot.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));
            }

            results.Add(await refused.Webhook.PostAsync(Payload, TestContext.Current.CancellationToken));
            return 0;
        });

        var secret = FakeSlackWebhook.SecretPath.Split('/')[^1];
        Assert.NotEmpty(bot.Logs.Entries);
        Assert.All(bot.Logs.Entries.Concat(refused.Logs.Entries), entry => Assert.DoesNotContain(secret, entry.FullText, StringComparison.Ordinal));
        Assert.All(results, result => Assert.DoesNotContain(secret, result.Detail, StringComparison.Ordinal));
        Assert.DoesNotContain(secret, bot.Webhook.Dead!.Describe(), StringComparison.Ordinal);
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
