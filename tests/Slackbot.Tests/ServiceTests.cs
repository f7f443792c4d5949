using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>The bot as the service runs it: the real host, migrations and queue consumer, on the system clock.</summary>
[Collection(UsesPostgres.Name)]
public sealed class ServiceTests(PostgresFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private FakeSlackWebhook slack = null!;

    public async ValueTask InitializeAsync()
    {
        slack = await FakeSlackWebhook.StartAsync(TimeProvider.System, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await slack.DisposeAsync();

    [Fact]
    public async Task Service_DefaultStart_SkipsBacklog()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var queue = new QueueClient(dataSource, TimeProvider.System);
        await Migrations.ApplyAsync(dataSource, typeof(QueueClient).Assembly, "queue", NullLogger.Instance, TestContext.Current.CancellationToken);
        await EnqueueAsync(queue, 1, 2);

        await using var bot = BotHost.Create(slack.Url, connectionString, useSystemClock: true);
        await bot.Host.StartAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(dataSource, "select count(*) from queue.subscriptions where name = 'slackbot'", 1);
        await EnqueueAsync(queue, 3);
        await WaitForAsync(dataSource, "select count(*) from slackbot.posted where confirmed_at is not null", 1);
        await WaitForAsync(dataSource, "select count(*) from queue.subscription_stats where subscription = 'slackbot' and unclaimed = 0 and claims_in_flight = 0", 1);
        await bot.Host.StopAsync(TestContext.Current.CancellationToken);

        var post = Assert.Single(slack.Posts);
        Assert.Contains("/status/3|", post.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_DeadWebhook_KeepsAcknowledging()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var queue = new QueueClient(dataSource, TimeProvider.System);
        slack.Enqueue(new ScriptedResponse(404, "no_service"));

        await using var bot = BotHost.Create(slack.Url, connectionString, useSystemClock: true);
        await bot.Host.StartAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(dataSource, "select count(*) from queue.subscriptions where name = 'slackbot'", 1);

        // Another subscriber that has not read anything yet.
        await queue.SubscribeAsync("other", SubscriptionStart.Now, TestContext.Current.CancellationToken);
        await EnqueueAsync(queue, 1, 2, 3, 4);
        var acknowledged = await WaitForAsync(
            dataSource,
            "select count(*) from queue.subscription_stats where subscription = 'slackbot' and unclaimed = 0 and claims_in_flight = 0 and retrying = 0 and dead_letters = 0 and last_ack_at is not null",
            1);
        await EnqueueAsync(queue, 5);
        await WaitForAsync(dataSource, "select count(*) from queue.subscription_stats where subscription = 'slackbot' and unclaimed = 0 and claims_in_flight = 0", 1);
        await bot.Host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, acknowledged);
        Assert.Single(slack.Posts);
        Assert.Single(bot.Logs.WithEventId(5005));
        Assert.Contains("5 since the webhook failed", bot.Logs.WithEventId(5006)[^1].Message, StringComparison.Ordinal);
        Assert.Equal(5, await ScalarAsync(dataSource, "select unclaimed from queue.subscription_stats where subscription = 'other'"));
        var secret = FakeSlackWebhook.SecretPath.Split('/')[^1];
        Assert.All(bot.Logs.Entries, entry => Assert.DoesNotContain(secret, entry.FullText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Service_MissingWebhookUrl_ExitsWithCodeOne()
    {
        await using var bot = BotHost.Create("", "Host=127.0.0.1;Port=1;Database=none", useSystemClock: true);

        var exitCode = await bot.Host.RunServiceAsync("slackbot");

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(bot.Logs.Entries, entry => entry.FullText.Contains("Slack__WebhookUrl", StringComparison.Ordinal));
    }

    private static async Task EnqueueAsync(QueueClient queue, params long[] tweetIds)
    {
        var envelopes = tweetIds.Select(id => TestTweets.Envelope(TestTweets.Tweet(id, $"brexit {id}"), TestTweets.User()));
        await queue.EnqueueAsync([.. envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson()))], TestContext.Current.CancellationToken);
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: TestContext.Current.CancellationToken));
    }

    /// <summary>Polls a count until it reaches <paramref name="expected"/> or the wait limit passes, and returns the last count.</summary>
    private static async Task<long> WaitForAsync(NpgsqlDataSource dataSource, string countSql, long expected)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        while (true)
        {
            long count;
            try
            {
                count = await ScalarAsync(dataSource, countSql);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The service has not applied its migrations yet.
                count = 0;
            }

            if (count >= expected || DateTimeOffset.UtcNow > deadline)
            {
                return count;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }
}
