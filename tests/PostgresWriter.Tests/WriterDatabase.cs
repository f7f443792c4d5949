using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>A fresh database with the tweet tables, and a handler that writes to it on a fake clock.</summary>
internal sealed class WriterDatabase : IAsyncDisposable
{
    private WriterDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Handler = new TweetBatchHandler(new TweetStore(DataSource, Clock), NullLogger<TweetBatchHandler>.Instance);
    }

    /// <summary>The connection string of the test's own database.</summary>
    public string ConnectionString { get; }

    /// <summary>The data source the handler writes through.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The clock behind <c>first_stored_at</c> and <c>updated_at</c>.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The handler under test.</summary>
    public TweetBatchHandler Handler { get; }

    /// <summary>Creates a database and applies the <c>tweets</c> migrations to it.</summary>
    public static async Task<WriterDatabase> CreateAsync(PostgresFixture fixture)
    {
        var database = new WriterDatabase(await fixture.CreateDatabaseAsync());
        await database.MigrateAsync();
        return database;
    }

    /// <summary>Applies the writer's migrations and returns how many ran.</summary>
    public Task<int> MigrateAsync() =>
        Migrations.ApplyAsync(DataSource, typeof(TweetStore).Assembly, "tweets", NullLogger.Instance, TestContext.Current.CancellationToken);

    /// <summary>Runs the handler on the messages and returns its failures.</summary>
    public Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages) =>
        Handler.HandleAsync(messages, TestContext.Current.CancellationToken);

    /// <summary>Runs a query and maps its rows with Dapper.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var rows = await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: TestContext.Current.CancellationToken));
        return [.. rows];
    }

    /// <summary>Runs a query that returns one value.</summary>
    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return (await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: TestContext.Current.CancellationToken)))!;
    }

    /// <summary>Returns the row count of every table the writer fills, by table name.</summary>
    public async Task<Dictionary<string, long>> CountRowsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "tweets", "users", "hashtags", "cashtags", "mentions", "urls", "referenced_tweets" })
        {
            counts[table] = await ScalarAsync<long>($"select count(*) from public.{table}");
        }

        return counts;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
}
