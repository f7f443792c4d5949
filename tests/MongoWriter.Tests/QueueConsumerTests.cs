using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>
/// The writer's host, queue migrations and <see cref="QueueConsumer"/> against a real PostgreSQL
/// queue, with <see cref="InMemoryTweetStore"/> in place of MongoDB.
/// </summary>
[Collection(PostgresCollectionDefinition.Name)]
public sealed class QueueConsumerTests(PostgresFixture fixture)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly InMemoryTweetStore store = new();

    [Fact]
    public async Task Consumer_RecordedPage_StoresEveryTweet()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        var envelopes = RecordedPages.Read("docnow-twarc-csv/brexit.jsonl");
        using var host = BuildHost(connectionString);
        await host.StartAsync(TestContext.Current.CancellationToken);

        await EnqueueAsync(host, envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson())));
        await WaitUntilAsync(() => store.Tweets.Count >= envelopes.Count);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(envelopes.Select(e => e.Id).Order(), store.Tweets.Keys.Order());
    }

    [Fact]
    public async Task Consumer_DefaultSubscription_IsMongoWriter()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        using var host = BuildHost(connectionString);
        await host.StartAsync(TestContext.Current.CancellationToken);

        await EnqueueAsync(host, RecordedPages.Read("docnow-twarc-csv/two_tweets.jsonl").Select(e => new OutgoingMessage(e.Id, e.ToJson())));
        await WaitUntilAsync(() => store.Tweets.Count >= 1);
        await host.StopAsync(TestContext.Current.CancellationToken);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        Assert.Equal(["mongo-writer"], await QueryAsync<string>(dataSource, "select name from queue.subscriptions"));
    }

    [Fact]
    public async Task Consumer_OversizedTweet_DeadLettersOnlyIt()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        var envelopes = RecordedPages.Read("docnow-twarc-csv/two_tweets.jsonl");
        var oversized = $$"""{"id": "77", "text": "{{new string('x', 17 * 1024 * 1024)}}"}""";
        using var host = BuildHost(connectionString, ("Queue:MaxAttempts", "1"));
        await host.StartAsync(TestContext.Current.CancellationToken);

        var messages = envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson())).ToList();
        messages.Add(new OutgoingMessage("77", RecordedPages.FromTweetJson(oversized).ToJson()));
        await EnqueueAsync(host, messages);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await WaitUntilAsync(async () => (await QueryAsync<string>(dataSource, "select error from queue.dead_letters")).Count >= 1);
        await host.StopAsync(TestContext.Current.CancellationToken);

        var error = Assert.Single(await QueryAsync<string>(dataSource, "select error from queue.dead_letters where message_key = '77'"));
        Assert.Matches("^Tweet 77 is [0-9]+ bytes as BSON, above MongoDB's maximum document size", error);
        Assert.Equal(envelopes.Select(e => e.Id), store.Tweets.Keys);
    }

    [Fact]
    public async Task Consumer_MongoOutage_RedeliversWholeBatch()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        var envelopes = RecordedPages.Read("docnow-twarc-csv/brexit.jsonl").Take(20).ToList();
        store.ThrowOnNextCalls(MongoWriterHandlerTests.ConnectionFailure(), 2);
        using var host = BuildHost(connectionString, ("Queue:RetryBackoffBase", "00:00:00.050"));
        await host.StartAsync(TestContext.Current.CancellationToken);

        await EnqueueAsync(host, envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson())));
        await WaitUntilAsync(() => store.Tweets.Count >= envelopes.Count);
        await host.StopAsync(TestContext.Current.CancellationToken);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        Assert.Equal(3, store.TweetCalls);
        Assert.Empty(await QueryAsync<long>(dataSource, "select message_id from queue.retries"));
        Assert.Empty(await QueryAsync<long>(dataSource, "select message_id from queue.dead_letters"));
    }

    private IHost BuildHost(string connectionString, params (string Key, string Value)[] settings)
    {
        // No default sources, so the machine's environment variables cannot change the test.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddPipelineDefaults();
        builder.Services.AddSingleton<ITweetStore>(store);
        builder.AddMongoWriter();
        return builder.Build();
    }

    private static async Task EnqueueAsync(IHost host, IEnumerable<OutgoingMessage> messages) =>
        await host.Services.GetRequiredService<QueueClient>().EnqueueAsync([.. messages], TestContext.Current.CancellationToken);

    private static async Task<List<T>> QueryAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<T>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    /// <summary>Polls until the condition is true or the wait limit passes; the asserts that follow report what is missing.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        while (!await condition() && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }
}
