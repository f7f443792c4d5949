using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>
/// The collector under a long rate-limit window, and its log lines at the Trace level when the
/// settings carry a bearer token and a database password.
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class CollectorFaultTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Token = "AAAAfaultsBearer7c0f9e2d41b84a6e";

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
    public async Task RateLimited429_FifteenMinuteReset_NoRequestBeforeIt()
    {
        var resetAt = clock.GetUtcNow().AddMinutes(15);
        api.Enqueue(
            new ScriptedResponse(429, """{"title":"Too Many Requests"}""", FakeXApi.RateLimitHeaders(0, resetAt)),
            Page("brexit.jsonl"));

        await using (var collector = RunningCollector.Start(database, Settings(), logs, clock))
        {
            await logs.WaitForAsync(2012);

            // 30 steps of 30 s cross the window; every wake-up before the reset would show as a request.
            await clock.AdvanceUntilAsync(() => api.Requests.Count >= 2, TimeSpan.FromSeconds(30), "the request after the rate-limit reset");
            await logs.WaitForAsync(2010);
        }

        Assert.Equal(1, api.Requests.Count(r => r.ReceivedAt < resetAt));
        Assert.True(api.Requests[1].ReceivedAt >= resetAt, $"Retried at {api.Requests[1].ReceivedAt:O}, before the reset at {resetAt:O}.");
        Assert.Single(logs.WithEventId(2012));
    }

    [Fact]
    public async Task Logs_TraceLevel_HoldNoTokenOrPassword()
    {
        var password = $"pw{Guid.NewGuid():N}";
        var connectionString = await CreateOwnerRoleAsync(password);
        var resetAt = clock.GetUtcNow().AddSeconds(30);
        api.Enqueue(
            new ScriptedResponse(503, """{"title":"Service Unavailable"}"""),
            new ScriptedResponse(429, """{"title":"Too Many Requests"}""", FakeXApi.RateLimitHeaders(0, resetAt)),
            Page("brexit.jsonl", keepNextToken: true),
            new ScriptedResponse(401, $$"""{"title":"Unauthorized","detail":"Bearer {{Token}} is not valid"}"""));

        await using (var collector = RunningCollector.Start(connectionString, Settings(), logs, clock))
        {
            await logs.WaitForAsync(2012);
            await clock.AdvanceUntilAsync(() => api.Requests.Count >= 4, TimeSpan.FromSeconds(10), "the fourth request");
            await collector.WaitForExitAsync();
        }

        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.FullText.Contains(Token, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.FullText.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_UnreachableDatabase_HoldNoPassword()
    {
        var password = $"pw{Guid.NewGuid():N}";
        var unreachable = $"Host=127.0.0.1;Port=1;Database=tweets;Username=pipeline;Password={password};Timeout=2";
        var settings = Settings();
        settings["Hosting:StartupTimeout"] = "00:00:03";

        var exitCode = await CollectorHost.RunAsync(unreachable, settings, logs);

        Assert.NotEqual(0, exitCode);
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.FullText.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.FullText.Contains(Token, StringComparison.Ordinal));
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = RunningCollector.XApiSettings(api, Token);
        settings["Collector:Query"] = "#brexit";
        settings["Collector:PollInterval"] = TimeSpan.FromMinutes(1).ToString();
        return settings;
    }

    /// <summary>
    /// Creates a role with <paramref name="password"/> that owns the test database and returns its
    /// connection string, so that the password is a unique string no log line contains by chance.
    /// </summary>
    private async Task<string> CreateOwnerRoleAsync(string password)
    {
        var builder = new NpgsqlConnectionStringBuilder(database);
        var role = $"faults_{Guid.NewGuid():N}"[..20];
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"create role {role} login password '{password}'; alter database {builder.Database} owner to {role}", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        builder.Username = role;
        builder.Password = password;
        return builder.ConnectionString;
    }

    private static ScriptedResponse Page(string fileName, bool keepNextToken = false)
    {
        var page = RecordedPages.FirstPage(fileName);
        if (!keepNextToken && page["meta"] is JsonObject meta)
        {
            meta.Remove("next_token");
        }

        return new ScriptedResponse(200, page.ToJsonString());
    }
}
