using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>
/// The tweets_writer and analyst roles of migration 0006. Roles belong to the whole PostgreSQL
/// cluster, so these tests share them with every database of the container. That is safe because
/// the collection runs its tests one at a time.
/// </summary>
[Collection(UsesPostgres.Name)]
public sealed class RoleTests(PostgresFixture fixture)
{
    private const string PermissionDenied = "42501";

    [Fact]
    public async Task Writer_QueueInsert_IsDenied()
    {
        await using var database = await CreateWithQueueAsync();

        var exception = await Assert.ThrowsAsync<PostgresException>(() => RunAsAsync(database, "tweets_writer",
            "insert into queue.messages (key, payload) values ('k', '{}')"));

        Assert.Equal(PermissionDenied, exception.SqlState);
    }

    [Theory]
    [InlineData("insert into public.hashtags (tweet_id, position, tag) values (1, 0, 'a')")]
    [InlineData("insert into public.deleted_tweets (id, reason, observed_at) values (1, 'deleted', now())")]
    [InlineData("insert into public.media (media_key, type, observed_at, raw, first_stored_at, updated_at) values ('3_1', 'photo', now(), '{}', now(), now())")]
    [InlineData("update public.tweets set deleted_at = now() where id = 1")]
    [InlineData("delete from public.poll_options where poll_id = 1")]
    public async Task Writer_OwnTables_AreWritable(string sql)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await RunAsAsync(database, "tweets_writer", sql);
    }

    [Fact]
    public async Task Writer_MigrationTable_IsNotWritable()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        var exception = await Assert.ThrowsAsync<PostgresException>(() => RunAsAsync(database, "tweets_writer",
            "delete from public.schema_migrations"));

        Assert.Equal(PermissionDenied, exception.SqlState);
    }

    [Theory]
    [InlineData("select count(*) from public.tweets")]
    [InlineData("select count(*) from public.poll_options")]
    [InlineData("select count(*) from public.tweets_with_authors")]
    [InlineData("select count(*) from public.hashtag_counts_hourly")]
    [InlineData("select count(*) from public.reply_threads")]
    [InlineData("select count(*) from public.top_tweets(now() - interval '1 day', now(), 5)")]
    public async Task Analyst_TablesAndViews_AreReadable(string sql)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.FromRecordedPages("docnow-twarc-csv/brexit.jsonl").ToMessages());

        await RunAsAsync(database, "analyst", sql);
    }

    [Theory]
    [InlineData("insert into public.hashtags (tweet_id, position, tag) values (1, 0, 'a')")]
    [InlineData("update public.tweets set full_text = 'x'")]
    [InlineData("delete from public.users")]
    [InlineData("delete from public.deleted_tweets")]
    [InlineData("create table public.scratch (id int)")]
    [InlineData("select count(*) from queue.messages")]
    public async Task Analyst_WritesAndQueue_AreDenied(string sql)
    {
        await using var database = await CreateWithQueueAsync();

        var exception = await Assert.ThrowsAsync<PostgresException>(() => RunAsAsync(database, "analyst", sql));

        Assert.Equal(PermissionDenied, exception.SqlState);
    }

    [Fact]
    public async Task Analyst_LaterTable_IsReadable()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        // A table that a later migration creates, as the user that runs the migrations.
        await RunAsAsync(database, null, "create table public.later_table (id int)");

        await RunAsAsync(database, "analyst", "select count(*) from public.later_table");
    }

    [Fact]
    public async Task Analyst_ConfiguredPassword_CanLogIn()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.FromRecordedPages("docnow-twarc-csv/brexit.jsonl").ToMessages());
        const string password = "it's a \"quoted\" pass\\word";

        await SetAnalystPasswordAsync(database, password);

        await using var connection = new NpgsqlConnection(AsAnalyst(database, password));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("select count(*) from public.tweets_with_authors", connection);
        Assert.True((long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))! > 0);
    }

    [Fact]
    public async Task Analyst_EmptyPassword_CannotLogIn()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await SetAnalystPasswordAsync(database, "first");

        await SetAnalystPasswordAsync(database, "");

        await using var connection = new NpgsqlConnection(AsAnalyst(database, "first"));
        var exception = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));
        // 28P01 (password authentication failed, because the password was removed) or 28000 (the
        // role is NOLOGIN), depending on which check the server reaches first.
        Assert.Contains(exception.SqlState, new[] { "28P01", "28000" });
        Assert.False(await database.ScalarAsync<bool>("select rolcanlogin from pg_roles where rolname = 'analyst'"));
    }

    private async Task<WriterDatabase> CreateWithQueueAsync()
    {
        var database = await WriterDatabase.CreateAsync(fixture);
        await Migrations.ApplyAsync(database.DataSource, typeof(QueueClient).Assembly, "queue", NullLogger.Instance, TestContext.Current.CancellationToken);
        return database;
    }

    private static async Task SetAnalystPasswordAsync(WriterDatabase database, string password)
    {
        var service = new AnalystPassword(
            database.DataSource,
            Options.Create(new DatabaseOptions { AnalystPassword = password }),
            NullLogger<AnalystPassword>.Instance);
        await service.StartAsync(TestContext.Current.CancellationToken);
    }

    private static string AsAnalyst(WriterDatabase database, string password) =>
        new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = "analyst", Password = password, Pooling = false }.ConnectionString;

    // Runs the statement in a transaction under the role, or as the connecting user when role is
    // null, and commits it.
    private static async Task RunAsAsync(WriterDatabase database, string? role, string sql)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (role is not null)
        {
            await using var setRole = new NpgsqlCommand($"set local role {role}", connection, transaction);
            await setRole.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
