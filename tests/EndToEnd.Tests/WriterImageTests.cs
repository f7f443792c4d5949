using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using Pipeline.Core.Queue;
using Pipeline.Core.Tests.Hosting;
using Pipeline.Core.Tweets;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The postgres-writer image run as compose runs it: exit codes when it gives up, /healthz and
/// /metrics while it works, a clean exit on SIGTERM, and the status command of its binary.
/// </summary>
public sealed class WriterImageTests(WriterImage image) : IClassFixture<WriterImage>
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvalidBatchSize_ExitsOneNamingSetting()
    {
        var database = await image.CreateDatabaseAsync();

        var (exitCode, output) = RunToExit($"--network {image.Network} -e \"ConnectionStrings__Postgres={image.NetworkConnectionString(database)}\" -e Queue__BatchSize=0 {WriterImage.Image}");

        Assert.Equal(1, exitCode);
        Assert.Contains("Queue:BatchSize is 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableDatabase_ExitsOneAfterStartupTimeout()
    {
        var database = await image.CreateDatabaseAsync();
        var unreachable = image.NetworkConnectionString(database).Replace($"Host={image.PostgresName}", "Host=no-such-host", StringComparison.Ordinal);

        var (exitCode, output) = RunToExit($"--network {image.Network} -e \"ConnectionStrings__Postgres={unreachable}\" -e Hosting__StartupTimeout=00:00:05 {WriterImage.Image}");

        Assert.Equal(1, exitCode);
        Assert.Contains("PostgreSQL stayed unreachable for 00:00:05 (Hosting:StartupTimeout)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunningWriter_WrittenCounter_MatchesStoredRows()
    {
        var database = await image.CreateDatabaseAsync();
        await using var writer = WriterContainer.Start(image, database);
        Assert.Equal(HttpStatusCode.OK, (await writer.WaitUntilHealthyAsync(WaitLimit)).Status);

        var envelopes = SampleEnvelopes();
        await using var dataSource = NpgsqlDataSource.Create(image.HostConnectionString(database));
        await new QueueClient(dataSource, TimeProvider.System).EnqueueAsync([.. envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson()))], Token);
        var metrics = await writer.WaitForMetricAsync("pipeline_tweets_written_total", envelopes.Count, WaitLimit);
        await using var count = dataSource.CreateCommand("select count(*) from tweets where not referenced_only");
        var stored = (long)(await count.ExecuteScalarAsync(Token))!;

        Assert.Equal(envelopes.Count, stored);
        Assert.Equal(stored, metrics.Value("pipeline_tweets_written_total", ("subscription", "postgres-writer")));
        Assert.Equal(0, metrics.Value("pipeline_queue_messages_failed_total", ("subscription", "postgres-writer")));
    }

    [Fact]
    public async Task Sigterm_RunningWriter_ExitsZero()
    {
        var database = await image.CreateDatabaseAsync();
        await using var writer = WriterContainer.Start(image, database);
        await writer.WaitUntilHealthyAsync(WaitLimit);

        // docker stop sends SIGTERM and, like compose, kills the process after 10 s; a kill exits 137.
        WriterImage.Docker($"stop -t 10 {writer.Name}", WaitLimit);

        Assert.Equal("0", WriterImage.Docker($"inspect -f {{{{.State.ExitCode}}}} {writer.Name}").Trim());
    }

    [Fact]
    public async Task StatusCommand_Image_PrintsSubscriptionAsJson()
    {
        var database = await image.CreateDatabaseAsync();
        await using (var writer = WriterContainer.Start(image, database))
        {
            await writer.WaitUntilHealthyAsync(WaitLimit);
        }

        var (exitCode, output) = DockerEngine.Run("docker",
            $"run --rm --network {image.Network} -e \"ConnectionStrings__Postgres={image.NetworkConnectionString(database)}\" {WriterImage.Image} status --json",
            timeout: WaitLimit);

        Assert.Equal(0, exitCode);
        using var status = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var subscription = status.RootElement.GetProperty("subscriptions").EnumerateArray().Single();
        Assert.Equal("postgres-writer", subscription.GetProperty("subscription").GetString());
        Assert.Equal(0, subscription.GetProperty("lag_messages").GetInt64());
    }

    /// <summary>One envelope per distinct tweet in <c>data</c> of the bundled brexit sample, with its author from <c>includes.users</c>.</summary>
    private static List<TweetEnvelope> SampleEnvelopes()
    {
        var envelopes = new Dictionary<string, TweetEnvelope>();
        foreach (var line in File.ReadLines(Path.Combine(SampleTweets.Folder, "brexit.jsonl")).Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            using var page = JsonDocument.Parse(line);
            var root = page.RootElement;
            var users = root.TryGetProperty("includes", out var includes) && includes.TryGetProperty("users", out var list)
                ? list.EnumerateArray().ToDictionary(u => u.GetProperty("id").GetString()!, u => u.Clone())
                : [];
            foreach (var tweet in root.GetProperty("data").EnumerateArray())
            {
                var id = tweet.GetProperty("id").GetString()!;
                JsonElement? author = tweet.TryGetProperty("author_id", out var authorId) && users.TryGetValue(authorId.GetString()!, out var user) ? user : null;
                envelopes.TryAdd(id, new TweetEnvelope(
                    id, tweet.Clone(), author, [], [], [], [], null, new CollectionSource("replay", "brexit.jsonl"), DateTimeOffset.UtcNow));
            }
        }

        return [.. envelopes.Values];
    }

    /// <summary>A detached writer container whose port 8080 is published on a loopback port; removed on dispose.</summary>
    private sealed class WriterContainer : IAsyncDisposable
    {
        private WriterContainer(string name, int port)
        {
            Name = name;
            Port = port;
        }

        public string Name { get; }

        public int Port { get; }

        public static WriterContainer Start(WriterImage image, string database)
        {
            var name = $"pipeline-ops-writer-{Guid.NewGuid():N}"[..32];
            WriterImage.Docker(
                $"run -d --name {name} --network {image.Network} -p 127.0.0.1::8080 " +
                $"-e \"ConnectionStrings__Postgres={image.NetworkConnectionString(database)}\" " +
                $"-e Logging__LogLevel__Npgsql=Warning -e Logging__LogLevel__Polly=Warning {WriterImage.Image}");
            var published = WriterImage.Docker($"port {name} 8080/tcp").Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
            return new WriterContainer(name, int.Parse(published[(published.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
        }

        public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{Port}{path}"), Token);
                return (response.StatusCode, await response.Content.ReadAsStringAsync(Token));
            }
            catch (HttpRequestException ex)
            {
                // The server in the container is not listening yet.
                return (0, ex.Message);
            }
        }

        public async Task<(HttpStatusCode Status, string Body)> WaitUntilHealthyAsync(TimeSpan limit)
        {
            var deadline = DateTimeOffset.UtcNow + limit;
            while (true)
            {
                var answer = await GetAsync("/healthz");
                if (answer.Status == HttpStatusCode.OK || DateTimeOffset.UtcNow > deadline)
                {
                    return answer;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
            }
        }

        public async Task<PrometheusText> WaitForMetricAsync(string name, double expected, TimeSpan limit)
        {
            var deadline = DateTimeOffset.UtcNow + limit;
            while (true)
            {
                var metrics = PrometheusText.Parse((await GetAsync("/metrics")).Body);
                if (metrics.Find(name, ("subscription", "postgres-writer")) >= expected || DateTimeOffset.UtcNow > deadline)
                {
                    return metrics;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
            }
        }

        public ValueTask DisposeAsync()
        {
            DockerEngine.Run("docker", $"rm -f {Name}");
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Runs a container until it exits and returns its exit code and its log. The log is read with
    /// docker logs after the exit, because under load an attached docker run --rm of a container
    /// that exits at once sometimes printed nothing.
    /// </summary>
    private static (int ExitCode, string Output) RunToExit(string arguments)
    {
        var name = $"pipeline-ops-run-{Guid.NewGuid():N}"[..30];
        try
        {
            WriterImage.Docker($"run -d --name {name} {arguments}");
            var exitCode = int.Parse(WriterImage.Docker($"wait {name}", WaitLimit).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return (exitCode, DockerEngine.Run("docker", $"logs {name}").Output);
        }
        finally
        {
            DockerEngine.Run("docker", $"rm -f {name}");
        }
    }
}
