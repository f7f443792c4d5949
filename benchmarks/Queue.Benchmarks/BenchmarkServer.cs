using Npgsql;

namespace Queue.Benchmarks;

/// <summary>The PostgreSQL server under test, reached as a superuser; every run gets a database of its own.</summary>
internal sealed class BenchmarkServer(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource admin = NpgsqlDataSource.Create(connectionString);
    private int databaseCount;

    /// <summary>Creates an empty database named after the run; dispose the result to drop it.</summary>
    public async Task<BenchmarkDatabase> CreateDatabaseAsync(string run, CancellationToken cancellationToken)
    {
        var name = $"bench_{Interlocked.Increment(ref databaseCount)}_{run.Replace('-', '_')}";
        await ExecuteAsync($"drop database if exists {name} with (force)", cancellationToken);
        await ExecuteAsync($"create database {name}", cancellationToken);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = name };
        return new BenchmarkDatabase(this, name, builder);
    }

    /// <summary>Returns the server's version and the settings that decide commit cost and memory.</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        await using var command = admin.CreateCommand("""
            select version() || '; ' || string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name)
              from pg_settings
             where name in ('synchronous_commit', 'fsync', 'shared_buffers', 'max_wal_size', 'autovacuum', 'wal_level')
            """);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Returns the processor time that every process of the server's container has used so far:
    /// backends, background workers and, in the benchmark's image, pgqd. The server reads it from
    /// its control group (cgroup v1 or v2); returns null when neither file is readable.
    /// </summary>
    public async Task<TimeSpan?> ReadProcessorTimeAsync(CancellationToken cancellationToken)
    {
        try
        {
            // cgroup v1: nanoseconds.
            await using var v1 = admin.CreateCommand("select pg_read_file('/sys/fs/cgroup/cpuacct/cpuacct.usage', true)");
            if (await v1.ExecuteScalarAsync(cancellationToken) is string nanoseconds)
            {
                return TimeSpan.FromTicks(long.Parse(nanoseconds.Trim(), System.Globalization.CultureInfo.InvariantCulture) / 100);
            }

            // cgroup v2: a line "usage_usec N" in microseconds.
            await using var v2 = admin.CreateCommand(
                "select substring(pg_read_file('/sys/fs/cgroup/cpu.stat', true) from 'usage_usec ([0-9]+)')::bigint");
            return await v2.ExecuteScalarAsync(cancellationToken) is long microseconds ? TimeSpan.FromMicroseconds(microseconds) : null;
        }
        catch (PostgresException)
        {
            // Not a superuser, or the file is not there on this server.
            return null;
        }
    }

    /// <summary>Writes dirty buffers out so that one run's checkpoint does not land in the next run.</summary>
    public Task CheckpointAsync(CancellationToken cancellationToken) => ExecuteAsync("checkpoint", cancellationToken);

    internal async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => admin.DisposeAsync();
}

/// <summary>A database made for one run, with a connection pool of its own; disposing drops it.</summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly BenchmarkServer server;

    internal BenchmarkDatabase(BenchmarkServer server, string name, NpgsqlConnectionStringBuilder connection)
    {
        this.server = server;
        Name = name;
        ConnectionString = connection.ConnectionString;
        Url = $"postgres://{Uri.EscapeDataString(connection.Username ?? "postgres")}:{Uri.EscapeDataString(connection.Password ?? "")}"
            + $"@{connection.Host}:{connection.Port}/{name}";
        DataSource = NpgsqlDataSource.Create(connection.ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>The same database as a postgres:// URL, for node-postgres.</summary>
    public string Url { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Returns the bytes on disk of every table in <paramref name="schemas"/>, with its indexes and
    /// TOAST data. Partitions and inheritance children count as tables of their own, and a
    /// partitioned parent has no storage, so each byte counts once.
    /// </summary>
    public async Task<long> MeasureTablesAsync(IReadOnlyList<string> schemas, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("""
            select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = any ($1) and c.relkind in ('r', 'm')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = schemas.ToArray() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Returns the dead row versions that the statistics collector counts in the tables of
    /// <paramref name="schemas"/>: rows deleted or updated that vacuum has not removed yet.
    /// </summary>
    public async Task<long> CountDeadRowsAsync(IReadOnlyList<string> schemas, CancellationToken cancellationToken)
    {
        // Backends report their counts to the statistics system within a second or so of committing.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await using var command = DataSource.CreateCommand(
            "select coalesce(sum(n_dead_tup), 0)::bigint from pg_stat_user_tables where schemaname = any ($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = schemas.ToArray() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Opens a REPEATABLE READ transaction that runs <c>select 1</c> once and stays open until the
    /// result is disposed. Its snapshot keeps vacuum from removing any row version that a later
    /// transaction of this database deletes or updates.
    /// </summary>
    public async Task<IAsyncDisposable> HoldSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using (var command = new NpgsqlCommand("select 1", connection, transaction))
        {
            await command.ExecuteScalarAsync(cancellationToken);
        }

        return new OpenTransaction(connection, transaction);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await server.ExecuteAsync($"drop database if exists {Name} with (force)", CancellationToken.None);
    }

    private sealed class OpenTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
