using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;

namespace Pipeline.Core.Tests.Queue;

/// <summary>A fresh database with the queue schema, a fake clock and a client bound to both.</summary>
internal sealed class QueueDatabase : IAsyncDisposable
{
    private QueueDatabase(NpgsqlDataSource dataSource, FakeTimeProvider clock)
    {
        DataSource = dataSource;
        Clock = clock;
        Client = new QueueClient(dataSource, clock);
    }

    public NpgsqlDataSource DataSource { get; }

    public FakeTimeProvider Clock { get; }

    public QueueClient Client { get; }

    public static async Task<QueueDatabase> CreateAsync(PostgresFixture fixture)
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrations.ApplyAsync(dataSource, typeof(QueueClient).Assembly, "queue", NullLogger.Instance, TestContext.Current.CancellationToken);
        return new QueueDatabase(dataSource, new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    public async Task EnqueueAsync(int count, int firstKey = 1)
    {
        var messages = Enumerable.Range(firstKey, count)
            .Select(i => new OutgoingMessage(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""{"n":{{i}}}"""))
            .ToList();
        await Client.EnqueueAsync(messages, TestContext.Current.CancellationToken);
    }

    /// <summary>Sets the ids per partition and drops the empty partition the migration made, so the next enqueue uses the new size.</summary>
    public async Task UsePartitionSizeAsync(int size)
    {
        await ScalarAsync<int>($"update queue.settings set value = {size} where name = 'partition_size' returning 1");
        await ScalarAsync<int>("""
            do $$
            declare
                v_partition regclass;
            begin
                for v_partition in select inhrelid::regclass from pg_inherits where inhparent = 'queue.messages'::regclass loop
                    execute format('drop table %s', v_partition);
                end loop;
            end $$;
            select 1
            """);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
