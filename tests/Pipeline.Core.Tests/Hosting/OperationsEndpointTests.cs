using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tests.Queue;
using Pipeline.Testing;
using Testcontainers.PostgreSql;

namespace Pipeline.Core.Tests.Hosting;

[Collection(UsesPostgres.Name)]
public sealed class OperationsEndpointTests(PostgresFixture postgres)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_DatabaseUnreachable_Returns503()
    {
        using var host = OperationsHost.Build("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        await host.StartAsync(Token);

        var (status, body) = await OperationsHost.GetAsync(host, "/healthz");
        await host.StopAsync(Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        using var report = JsonDocument.Parse(body);
        Assert.Equal("Unhealthy", report.RootElement.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Healthz_ConsumerRunning_Returns200()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var host = OperationsHost.Build(connectionString, builder => builder.AddQueueConsumer<StoringHandler>());
        await CreateTableAsync(connectionString);
        await host.StartAsync(Token);

        var (status, body) = await OperationsHost.WaitUntilHealthyAsync(host, WaitLimit);
        await host.StopAsync(Token);

        Assert.Equal(HttpStatusCode.OK, status);
        using var report = JsonDocument.Parse(body);
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("queue-consumer").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Healthz_DatabaseStopsAndReturns_FollowsIt()
    {
        // A server of its own, because stopping the shared one would break the other tests; the
        // fixed host port keeps the connection string valid across the restart.
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        var port = FreePort();
        await using var server = new PostgreSqlBuilder(PostgresFixture.Image).WithPortBinding(port, 5432).Build();
        await server.StartAsync(Token);
        var connectionString = new NpgsqlConnectionStringBuilder(server.GetConnectionString()) { Timeout = 2 }.ConnectionString;
        await CreateTableAsync(connectionString);
        using var host = OperationsHost.Build(connectionString, builder => builder.AddQueueConsumer<StoringHandler>());
        await host.StartAsync(Token);
        var before = await OperationsHost.WaitUntilHealthyAsync(host, WaitLimit);

        await server.StopAsync(Token);
        var down = await WaitForStatusAsync(host, HttpStatusCode.ServiceUnavailable);
        await server.StartAsync(Token);
        var back = await OperationsHost.WaitUntilHealthyAsync(host, WaitLimit);
        await host.StopAsync(Token);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Equal(HttpStatusCode.OK, back.Status);
    }

    [Fact]
    public async Task Metrics_AfterBatches_CountsMatchStoredRows()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var host = OperationsHost.Build(connectionString, builder => builder.AddQueueConsumer<StoringHandler>());
        await CreateTableAsync(connectionString);
        await host.StartAsync(Token);

        var messages = Enumerable.Range(1, 30).Select(i => new OutgoingMessage(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "{}")).ToList();
        messages.Add(new OutgoingMessage(StoringHandler.PoisonKey, "{}"));
        await host.Services.GetRequiredService<QueueClient>().EnqueueAsync(messages, Token);
        var metrics = await WaitForMetricAsync(host, "pipeline_queue_messages_processed_total", 31);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var stored = await ScalarAsync(dataSource, "select count(*) from stored_tweets");
        var monitor = host.Services.GetServices<IHostedService>().OfType<QueueLagMonitor>().Single();
        Assert.True(await monitor.ReadOnceAsync("writer", Token));

        var (status, body) = await OperationsHost.GetAsync(host, "/metrics");
        await host.StopAsync(Token);

        Assert.Equal(HttpStatusCode.OK, status);
        metrics = PrometheusText.Parse(body);
        Assert.Equal(30, stored);
        Assert.Equal(stored, metrics.Value("pipeline_tweets_written_total", ("subscription", "writer")));
        Assert.Equal(31, metrics.Value("pipeline_queue_messages_processed_total", ("subscription", "writer")));
        Assert.Equal(1, metrics.Value("pipeline_queue_messages_failed_total", ("subscription", "writer")));
        Assert.Equal(0, metrics.Value("pipeline_queue_messages_dead_lettered_total", ("subscription", "writer")));
        Assert.Equal(0, metrics.Value("pipeline_queue_lag_messages", ("subscription", "writer")));
        Assert.Equal(1, metrics.Value("pipeline_queue_retrying_messages", ("subscription", "writer")));
        Assert.True(metrics.Value("pipeline_queue_batch_duration_seconds_count", ("subscription", "writer")) >= 1);
        Assert.Equal("counter", metrics.TypeOf["pipeline_tweets_written_total"]);
        Assert.Equal("histogram", metrics.TypeOf["pipeline_queue_batch_duration_seconds"]);
        Assert.Contains("pipeline_tweets_written_total", metrics.Help.Keys);
    }

    [Fact]
    public async Task Metrics_Collector_ExposesPageAndRateLimitMetrics()
    {
        using var host = OperationsHost.Build("Host=127.0.0.1;Port=1", builder => builder.AddCollectorHealthCheck());
        await host.StartAsync(Token);
        var collector = host.Services.GetRequiredService<CollectorMetrics>();
        collector.PageCommitted("recent_search:#postgres", tweets: 10, enqueuedTweets: 7);
        collector.RateLimitRead(remaining: 42, resetAt: DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        collector.RateLimitWaitStarted(TimeSpan.FromSeconds(90));

        var (_, body) = await OperationsHost.GetAsync(host, "/metrics");
        await host.StopAsync(Token);

        var metrics = PrometheusText.Parse(body);
        Assert.Equal(10, metrics.Value("pipeline_tweets_collected_total", ("source", "recent_search")));
        Assert.Equal(7, metrics.Value("pipeline_tweets_enqueued_total", ("source", "recent_search")));
        Assert.Equal(42, metrics.Value("pipeline_x_api_rate_limit_remaining"));
        Assert.Equal(1_800_000_000, metrics.Value("pipeline_x_api_rate_limit_reset_timestamp_seconds"));
        Assert.Equal(1, metrics.Value("pipeline_x_api_rate_limit_waits_total"));
        Assert.Equal(90, metrics.Value("pipeline_x_api_rate_limit_wait_seconds_total"));
    }

    [Fact]
    public async Task Metrics_BeforeAnyResponse_OmitsRateLimitGauge()
    {
        using var host = OperationsHost.Build("Host=127.0.0.1;Port=1", builder => builder.AddCollectorHealthCheck());
        await host.StartAsync(Token);
        _ = host.Services.GetRequiredService<CollectorMetrics>();

        var (_, body) = await OperationsHost.GetAsync(host, "/metrics");
        await host.StopAsync(Token);

        Assert.Null(PrometheusText.Parse(body).Find("pipeline_x_api_rate_limit_remaining"));
    }

    private static async Task<(HttpStatusCode Status, string Body)> WaitForStatusAsync(IHost host, HttpStatusCode expected)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        while (true)
        {
            var answer = await OperationsHost.GetAsync(host, "/healthz");
            if (answer.Status == expected || DateTimeOffset.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task CreateTableAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("create table stored_tweets (id bigint primary key)");
        await command.ExecuteNonQueryAsync(Token);
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }

    /// <summary>Scrapes <c>/metrics</c> until the writer subscription's <paramref name="name"/> reaches <paramref name="expected"/> or the wait limit passes.</summary>
    private static async Task<PrometheusText> WaitForMetricAsync(IHost host, string name, double expected)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        while (true)
        {
            var metrics = PrometheusText.Parse((await OperationsHost.GetAsync(host, "/metrics")).Body);
            if (metrics.Find(name, ("subscription", "writer")) >= expected || DateTimeOffset.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), Token);
        }
    }

    /// <summary>Stores each message's key as a row of <c>stored_tweets</c>; the poison key fails as bad content.</summary>
    private sealed class StoringHandler(NpgsqlDataSource dataSource) : IQueueHandler
    {
        public const string PoisonKey = "poison";

        public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            var failures = messages.Where(m => m.Key == PoisonKey).Select(m => new MessageFailure(m.Id, "poison")).ToList();
            var ids = messages.Where(m => m.Key != PoisonKey).Select(m => long.Parse(m.Key!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            await using var command = dataSource.CreateCommand("insert into stored_tweets (id) select unnest($1::bigint[]) on conflict do nothing");
            command.Parameters.Add(new NpgsqlParameter { Value = ids });
            await command.ExecuteNonQueryAsync(cancellationToken);
            return failures;
        }
    }
}
