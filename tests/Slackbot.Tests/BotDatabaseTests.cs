using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>
/// The set-up that the database tests share: a stand-in webhook and a bot on one fake clock, and
/// a fresh database with the bot's tables for each test.
/// </summary>
public abstract class BotDatabaseTests(PostgresFixture fixture) : IAsyncLifetime
{
    private BotHost? bot;

    /// <summary>The clock of the bot and the stand-in.</summary>
    internal FakeTimeProvider Clock { get; } = new(BotHost.Start);

    /// <summary>The stand-in webhook.</summary>
    internal FakeSlackWebhook Slack { get; private set; } = null!;

    /// <summary>The test's own database.</summary>
    internal string ConnectionString { get; private set; } = null!;

    /// <summary>The bot that <see cref="StartBotAsync"/> created.</summary>
    internal BotHost Bot => bot ?? throw new InvalidOperationException("Call StartBotAsync first.");

    public async ValueTask InitializeAsync()
    {
        Slack = await FakeSlackWebhook.StartAsync(Clock, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (bot is not null)
        {
            await bot.DisposeAsync();
        }

        await Slack.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates the test's database and a bot with <paramref name="settings"/> on top of <see cref="BotHost"/>'s defaults, and migrates it.</summary>
    internal async Task StartBotAsync(IDictionary<string, string?>? settings = null)
    {
        ConnectionString = await fixture.CreateDatabaseAsync();
        bot = BotHost.Create(Slack.Url, ConnectionString, settings, Clock);
        await bot.MigrateAsync();
    }

    /// <summary>Runs a query and maps its rows with Dapper.</summary>
    internal async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, cancellationToken: TestContext.Current.CancellationToken))];
    }

    /// <summary>Runs a query that returns one value.</summary>
    internal async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, cancellationToken: TestContext.Current.CancellationToken)))!;
    }

    /// <summary>Runs statements.</summary>
    internal async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: TestContext.Current.CancellationToken));
    }
}
