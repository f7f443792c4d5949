using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tests.Queue;
using Pipeline.Testing;

namespace Pipeline.Core.Tests.Hosting;

/// <summary>The health, status and dead-letters commands, run as the binaries run them, against a real PostgreSQL.</summary>
[Collection(UsesPostgres.Name)]
public sealed class ServiceCommandsTests(PostgresFixture postgres)
{
    private const long NewestId = 1440716895355764743;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(new[] { "stats" }, true)]
    [InlineData(new[] { "help" }, true)]
    [InlineData(new[] { "status" }, false)]
    [InlineData(new[] { "--Collector:Source=replay" }, false)]
    [InlineData(new string[0], false)]
    public void IsUnknownCommand_OnlyWordsThatNameNoCommand(string[] args, bool expected)
    {
        Assert.Equal(expected, ServiceCommands.IsUnknownCommand(args));
    }

    [Fact]
    public async Task Status_Table_ListsSubscriptionAndCheckpoints()
    {
        await using var db = await PrepareAsync();

        var (exitCode, output, _) = await RunAsync(db, ["status"]);

        Assert.Equal(0, exitCode);
        var row = output.Split('\n').Single(line => line.StartsWith("writer ", StringComparison.Ordinal));
        Assert.Equal(["writer", "3", "90", "s", "1", "0", "1"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..7]);
        Assert.Contains("recent_search  #postgres lang:en", output, StringComparison.Ordinal);
        Assert.Contains(NewestId.ToString(System.Globalization.CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
        Assert.Contains("/archive/brexit.jsonl", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Json_ReportsLagAndCheckpoints()
    {
        await using var db = await PrepareAsync();

        var (exitCode, output, _) = await RunAsync(db, ["status", "--json"]);

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        var subscription = document.RootElement.GetProperty("subscriptions").EnumerateArray().Single();
        Assert.Equal("writer", subscription.GetProperty("subscription").GetString());
        Assert.Equal(3, subscription.GetProperty("lag_messages").GetInt64());
        Assert.Equal(90, subscription.GetProperty("lag_seconds").GetDouble());
        Assert.Equal(1, subscription.GetProperty("claims_in_flight").GetInt64());
        Assert.Equal(0, subscription.GetProperty("retrying").GetInt64());
        Assert.Equal(1, subscription.GetProperty("dead_letters").GetInt64());
        Assert.Equal(db.Clock.GetUtcNow() - TimeSpan.FromSeconds(90), subscription.GetProperty("last_activity_at").GetDateTimeOffset());

        var checkpoints = document.RootElement.GetProperty("checkpoints").EnumerateArray().ToList();
        var search = checkpoints.Single(c => c.GetProperty("source").GetString() == "recent_search");
        Assert.Equal("#postgres lang:en", search.GetProperty("target").GetString());
        Assert.Equal(NewestId.ToString(System.Globalization.CultureInfo.InvariantCulture), search.GetProperty("newest_id").GetString());
        var file = checkpoints.Single(c => c.GetProperty("source").GetString() == "file");
        Assert.Equal(12, file.GetProperty("line_number").GetInt64());
    }

    [Fact]
    public async Task Status_NoCollectorSchema_ReportsNoCheckpoints()
    {
        await using var db = await QueueDatabase.CreateAsync(postgres);

        var (exitCode, output, _) = await RunAsync(db, ["status", "--json"]);

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("checkpoints").ValueKind);
    }

    [Fact]
    public async Task Status_NoQueueSchema_ExitsOneWithHint()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        var (exitCode, _, error) = await RunAsync(connectionString, ["status"]);

        Assert.Equal(ServiceCommands.FailureExitCode, exitCode);
        Assert.Contains("start a service once", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_List_ShowsMessageAndError()
    {
        await using var db = await PrepareAsync();

        var (exitCode, output, _) = await RunAsync(db, ["dead-letters", "--json"]);

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(1, document.RootElement.GetProperty("total").GetInt64());
        var deadLetter = document.RootElement.GetProperty("dead_letters").EnumerateArray().Single();
        Assert.Equal("1", deadLetter.GetProperty("message_key").GetString());
        Assert.Equal("invalid created_at", deadLetter.GetProperty("error").GetString());
        Assert.True(deadLetter.GetProperty("message_retained").GetBoolean());
    }

    [Fact]
    public async Task DeadLetters_Table_ShowsError()
    {
        await using var db = await PrepareAsync();

        var (exitCode, output, _) = await RunAsync(db, ["dead-letters", "--subscription", "writer"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("invalid created_at", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_RequeueAll_DeliversThemAgain()
    {
        await using var db = await PrepareAsync();
        db.Clock.Advance(TimeSpan.FromMinutes(1));

        var (exitCode, output, _) = await RunAsync(db, ["dead-letters", "--subscription", "writer", "--requeue"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("Requeued 1 dead letters of writer", output, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from queue.dead_letters"));
        var delivered = new List<string>();
        while (await db.Client.ClaimAsync("writer", "c2", 10, Lease, Token) is { } batch)
        {
            delivered.AddRange(batch.Messages.Select(m => m.Key!));
            await db.Client.AckAsync(batch, [], new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), Token);
        }

        Assert.Contains("1", delivered);
    }

    [Fact]
    public async Task DeadLetters_RequeueUnknownId_ExitsOne()
    {
        await using var db = await PrepareAsync();

        var (exitCode, _, error) = await RunAsync(db, ["dead-letters", "--subscription", "writer", "--requeue", "999"]);

        Assert.Equal(ServiceCommands.FailureExitCode, exitCode);
        Assert.Contains("Not dead letters of writer: 999", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_MessageDropped_KeepsDeadLetter()
    {
        await using var db = await PrepareAsync();
        await db.ScalarAsync<long>("with gone as (delete from queue.messages where message_key = '1' returning 1) select count(*) from gone");

        var (exitCode, _, error) = await RunAsync(db, ["dead-letters", "--subscription", "writer", "--requeue"]);

        Assert.Equal(ServiceCommands.FailureExitCode, exitCode);
        Assert.Contains("retention already dropped their messages", error, StringComparison.Ordinal);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from queue.dead_letters"));
    }

    [Theory]
    [InlineData("dead-letters", "--requeue")]
    [InlineData("status", "--verbose")]
    [InlineData("dead-letters", "--limit", "0")]
    [InlineData("dead-letters", "--subscription", "writer", "--requeue", "abc")]
    public async Task Run_InvalidArguments_ExitsTwo(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync("Host=127.0.0.1;Port=1", args);

        Assert.Equal(ServiceCommands.UsageExitCode, exitCode);
        Assert.Contains("Commands:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "health")]
    [InlineData(true, "status", "--json")]
    [InlineData(true, "dead-letters")]
    [InlineData(false, "rescore")]
    [InlineData(false, "--Queue:BatchSize=5")]
    [InlineData(false)]
    public void IsCommand_FirstArgument_NamesCommand(bool expected, params string[] args) =>
        Assert.Equal(expected, ServiceCommands.IsCommand(args));

    [Fact]
    public async Task Health_HealthyService_ExitsZero()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var host = OperationsHost.Build(connectionString);
        await host.StartAsync(Token);
        var port = host.Services.GetRequiredService<OperationsEndpoint>().Port;

        var (exitCode, output, _) = await RunAsync(connectionString, ["health"], port);
        await host.StopAsync(Token);

        Assert.Equal(0, exitCode);
        Assert.Contains("\"Healthy\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_UnhealthyService_ExitsOne()
    {
        using var host = OperationsHost.Build("Host=127.0.0.1;Port=1;Timeout=2");
        await host.StartAsync(Token);
        var port = host.Services.GetRequiredService<OperationsEndpoint>().Port;

        var (exitCode, output, _) = await RunAsync("Host=127.0.0.1;Port=1", ["health"], port);
        await host.StopAsync(Token);

        Assert.Equal(ServiceCommands.FailureExitCode, exitCode);
        Assert.Contains("\"Unhealthy\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_NothingListening_ExitsOne()
    {
        var (exitCode, _, error) = await RunAsync("Host=127.0.0.1;Port=1", ["health"], UnusedPort());

        Assert.Equal(ServiceCommands.FailureExitCode, exitCode);
        Assert.Contains("No answer from http://127.0.0.1:", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A queue with subscription <c>writer</c>: 5 messages enqueued at the clock's start, one
    /// claim of 2 in flight whose first message then became a dead letter, 3 unclaimed; and the
    /// collector's schema with a search and a file checkpoint. The clock ends 90 s later.
    /// </summary>
    private async Task<QueueDatabase> PrepareAsync()
    {
        var db = await QueueDatabase.CreateAsync(postgres);
        await db.Client.SubscribeAsync("writer", SubscriptionStart.Oldest, Token);
        await db.EnqueueAsync(5);
        var first = await db.Client.ClaimAsync("writer", "c1", 1, Lease, Token);
        await db.Client.AckAsync(first!, [new MessageFailure(first!.Messages[0].Id, "invalid created_at")], new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), Token);
        await db.Client.ClaimAsync("writer", "c1", 1, Lease, Token);

        var collectorSql = await File.ReadAllTextAsync(Path.Combine(TestData.RepositoryRoot, "deploy", "postgres", "migrations", "collector", "0001_collector.sql"), Token);
        await using (var create = db.DataSource.CreateCommand(collectorSql))
        {
            await create.ExecuteNonQueryAsync(Token);
        }

        await using (var insert = db.DataSource.CreateCommand("""
            insert into collector.checkpoints (source_key, newest_id, file_path, line_number, updated_at)
            values ('recent_search:#postgres lang:en', $1, null, null, $2),
                   ('file:/archive/brexit.jsonl', null, '/archive/brexit.jsonl', 12, $2)
            """))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = NewestId });
            insert.Parameters.Add(new NpgsqlParameter { Value = db.Clock.GetUtcNow() });
            await insert.ExecuteNonQueryAsync(Token);
        }

        db.Clock.Advance(TimeSpan.FromSeconds(90));
        return db;
    }

    // The data source's connection string leaves the password out, so the container's is the base.
    private Task<(int ExitCode, string Output, string Error)> RunAsync(QueueDatabase db, string[] args)
    {
        var database = new NpgsqlConnectionStringBuilder(db.DataSource.ConnectionString).Database;
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.Container.GetConnectionString()) { Database = database }.ConnectionString;
        return RunAsync(connectionString, args, clock: db.Clock);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string connectionString, string[] args, int port = 8080, TimeProvider? clock = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Hosting:HttpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ServiceCommands.RunAsync(args, builder, output, error, Token, services =>
        {
            if (clock is not null)
            {
                services.AddSingleton(clock);
            }
        });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
