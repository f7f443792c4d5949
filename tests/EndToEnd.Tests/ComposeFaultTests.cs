using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// Faults of the whole compose stack (PostgreSQL path only): a cold start from empty volumes and a
/// PostgreSQL restart while the writer drains the queue. Services run with <c>restart:
/// on-failure</c>, so a service that crashed shows a restart count above zero.
/// </summary>
public sealed class ComposeFaultTests
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ColdStart_DownThenUp_NoServiceRestarts()
    {
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        var expected = SampleTweets.Read();

        await using var stack = new ComposeStack(withMongo: false);
        stack.Build();
        stack.Compose("down -v --remove-orphans");
        stack.Up();

        var stored = await WaitForTweetIdsAsync(stack, expected.Count);

        Assert.Equal(expected.Keys.Order(), stored.Order());
        foreach (var service in stack.Services)
        {
            var state = Inspect(stack, service);
            Assert.True(state.RestartCount == 0, $"{service} restarted {state.RestartCount} times\n{stack.Logs()}");
            Assert.True(state.ExitCode == 0, $"{service} is {state.Status} with exit code {state.ExitCode}\n{stack.Logs()}");
        }
    }

    [Fact]
    public async Task PostgresRestart_WriterDraining_StoresEachOnce()
    {
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        var expected = SampleTweets.Read();

        await using var stack = new ComposeStack(withMongo: false);
        stack.Build();

        // The collector fills the queue first, so the writer has a backlog to drain when PostgreSQL goes away.
        Run(stack, "up -d postgres get_tweets");
        await WaitForCollectorExitAsync(stack);
        Run(stack, "up -d postgres-writer");
        var restarted = Stopwatch.StartNew();
        Run(stack, "restart postgres");

        var stored = await WaitForTweetIdsAsync(stack, expected.Count);
        TestContext.Current.SendDiagnosticMessage($"PostgreSQL held all {expected.Count} sample tweets {restarted.Elapsed.TotalSeconds:F1} s after its restart began.");

        Assert.Equal(expected.Keys.Order(), stored.Order());
        Assert.Equal(0L, await ScalarAsync(stack, "select count(*) from queue.dead_letters"));
        var writer = Inspect(stack, "postgres-writer");
        Assert.True(writer.RestartCount == 0, $"postgres-writer restarted {writer.RestartCount} times\n{stack.Logs()}");
        Assert.True(writer.Status == "running", $"postgres-writer is {writer.Status}\n{stack.Logs()}");
    }

    private static void Run(ComposeStack stack, string arguments)
    {
        var (exitCode, output) = stack.Compose(arguments);
        Assert.True(exitCode == 0, $"docker compose {arguments} failed ({exitCode}):\n{output}\n{stack.Logs()}");
    }

    private static (int RestartCount, string Status, int ExitCode) Inspect(ComposeStack stack, string service)
    {
        var id = stack.Compose($"ps -a -q {service}").Output.Trim();
        var (exitCode, output) = DockerEngine.Run("docker", $"inspect -f \"{{{{.RestartCount}}}} {{{{.State.Status}}}} {{{{.State.ExitCode}}}}\" {id}");
        Assert.True(exitCode == 0, $"docker inspect of {service} ({id}) failed: {output}");
        var fields = output.Trim().Split(' ');
        return (int.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], int.Parse(fields[2], CultureInfo.InvariantCulture));
    }

    private static async Task WaitForCollectorExitAsync(ComposeStack stack)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StoreTimeout && Inspect(stack, "get_tweets").Status != "exited")
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        var collector = Inspect(stack, "get_tweets");
        Assert.True(collector is { Status: "exited", ExitCode: 0 }, $"get_tweets is {collector.Status} with exit code {collector.ExitCode}\n{stack.Logs()}");
    }

    /// <summary>Polls until PostgreSQL holds at least the expected number of tweets or the timeout passes, then returns the stored ids.</summary>
    private static async Task<List<long>> WaitForTweetIdsAsync(ComposeStack stack, int expectedCount)
    {
        var deadline = Stopwatch.StartNew();
        var stored = new List<long>();
        while (deadline.Elapsed < StoreTimeout)
        {
            try
            {
                stored = await ReadTweetIdsAsync(stack);
                if (stored.Count >= expectedCount)
                {
                    return stored;
                }
            }
            catch (NpgsqlException)
            {
                // PostgreSQL is restarting, or the writer has not created its tables yet.
            }
            catch (InvalidOperationException)
            {
                // The port is bound but the server is still starting.
            }

            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        return stored;
    }

    private static async Task<List<long>> ReadTweetIdsAsync(ComposeStack stack)
    {
        var token = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(stack.PostgresConnectionString);
        await connection.OpenAsync(token);
        await using var command = new NpgsqlCommand("select id from tweets", connection);
        await using var reader = await command.ExecuteReaderAsync(token);
        var ids = new List<long>();
        while (await reader.ReadAsync(token))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private static async Task<long> ScalarAsync(ComposeStack stack, string sql)
    {
        await using var connection = new NpgsqlConnection(stack.PostgresConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
