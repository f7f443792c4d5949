using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Core.Hosting;

/// <summary>
/// Applies versioned SQL scripts embedded in an assembly, in version order, each once. Scripts
/// are named <c>NNNN_description.sql</c> under a component prefix (<c>queue/0001_queue.sql</c>);
/// applied versions are recorded in <c>public.schema_migrations</c>. An advisory lock lets any
/// number of services start at once against one database.
/// </summary>
public static class Migrations
{
    private const string CreateTable = """
        create table if not exists public.schema_migrations (
            component  text not null,
            version    integer not null,
            name       text not null,
            applied_at timestamptz not null default now(),
            primary key (component, version))
        """;

    /// <summary>Applies the scripts of <paramref name="component"/> that the database does not have yet; returns how many ran.</summary>
    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, Assembly assembly, string component, ILogger logger, CancellationToken cancellationToken)
    {
        var scripts = FindScripts(assembly, component);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(7400, 0)", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand(CreateTable, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new HashSet<int>();
        await using (var select = new NpgsqlCommand("select version from public.schema_migrations where component = $1", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = component });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var count = 0;
        foreach (var script in scripts.Where(s => !applied.Contains(s.Version)))
        {
            await using (var run = new NpgsqlCommand(script.Sql, connection, transaction))
            {
                await run.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("insert into public.schema_migrations (component, version, name) values ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = component });
                record.Parameters.Add(new NpgsqlParameter { Value = script.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = script.Name });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            HostingLog.MigrationApplied(logger, component, script.Version, script.Name);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static List<(int Version, string Name, string Sql)> FindScripts(Assembly assembly, string component)
    {
        var prefix = component + "/";
        var scripts = new List<(int Version, string Name, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var separator = name.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(name[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Invalid migration name '{resource}': expected {prefix}NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, name, reader.ReadToEnd()));
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No migrations for '{component}' are embedded in {assembly.GetName().Name}.");
        }

        return [.. scripts.OrderBy(s => s.Version)];
    }
}
