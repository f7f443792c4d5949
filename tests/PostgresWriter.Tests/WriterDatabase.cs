using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.PostgresWriter.Sentiment;
using Pipeline.Testing;
using Pipeline.Vader;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>A fresh database with the tweet tables, and a handler that writes to it on a fake clock.</summary>
internal sealed class WriterDatabase : IAsyncDisposable
{
    private WriterDatabase(string connectionString, DeletionMode deletionMode)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
        var deletions = new DeletionOptions { Mode = deletionMode == DeletionMode.Remove ? DeletionOptions.RemoveName : DeletionOptions.FlagName };
        Store = new TweetStore(DataSource, Clock, new TweetSentimentScorer(VaderScorer.Default), Options.Create(deletions));
        Handler = new TweetBatchHandler(Store, NullLogger<TweetBatchHandler>.Instance);
    }

    /// <summary>Every table the writer fills.</summary>
    public static readonly string[] Tables =
    [
        "tweets", "users", "hashtags", "cashtags", "mentions", "urls", "referenced_tweets", "tweet_sentiment",
        "context_annotations", "entity_annotations", "media", "tweet_media", "places", "polls", "poll_options",
        "deleted_tweets",
    ];

    /// <summary>The connection string of the test's own database.</summary>
    public string ConnectionString { get; }

    /// <summary>The data source the handler writes through.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The clock behind <c>first_stored_at</c> and <c>updated_at</c>.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The store behind <see cref="Handler"/>.</summary>
    public TweetStore Store { get; }

    /// <summary>The handler under test.</summary>
    public TweetBatchHandler Handler { get; }

    /// <summary>Creates a database and applies the <c>tweets</c> migrations to it; the store handles deletions in <paramref name="deletionMode"/>.</summary>
    public static async Task<WriterDatabase> CreateAsync(PostgresFixture fixture, DeletionMode deletionMode = DeletionMode.Flag)
    {
        var database = new WriterDatabase(await fixture.CreateDatabaseAsync(), deletionMode);
        await database.MigrateAsync();
        return database;
    }

    /// <summary>Creates a database without applying any migration.</summary>
    public static async Task<WriterDatabase> CreateEmptyAsync(PostgresFixture fixture) =>
        new(await fixture.CreateDatabaseAsync(), DeletionMode.Flag);

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
        foreach (var table in Tables)
        {
            counts[table] = await ScalarAsync<long>($"select count(*) from public.{table}");
        }

        return counts;
    }

    /// <summary>Returns every <c>tweet_sentiment</c> row by tweet id.</summary>
    public async Task<Dictionary<long, StoredSentiment>> ReadSentimentAsync()
    {
        var rows = await QueryAsync<StoredSentiment>(
            """
            select tweet_id as TweetId, negative, neutral, positive, compound, label,
                   scored_text_source as ScoredTextSource, lexicon_version as LexiconVersion, scored_at as ScoredAt
              from public.tweet_sentiment
            """);
        return rows.ToDictionary(r => r.TweetId);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
}

/// <summary>One row of <c>tweet_sentiment</c>.</summary>
internal sealed record StoredSentiment(
    long TweetId,
    double Negative,
    double Neutral,
    double Positive,
    double Compound,
    string Label,
    string ScoredTextSource,
    string LexiconVersion,
    DateTime ScoredAt)
{
    /// <summary>The four scores, to compare with <see cref="SentimentScores"/>.</summary>
    public SentimentScores Scores => new(Negative, Neutral, Positive, Compound);
}
