using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Pages;
using Pipeline.GetTweets.Replay;
using Pipeline.MongoWriter;
using Pipeline.PostgresWriter;
using Pipeline.Testing;
using Testcontainers.MongoDb;
using Xunit;

namespace Pipeline.Querying.Tests;

/// <summary>
/// PostgreSQL, and MongoDB where the <c>mongo:8</c> image exists, loaded with the source pages
/// the way the services load them: the collector's page reader turns each page into envelopes,
/// which go into the queue, and the two writers' hosts consume them until the queue is drained.
/// </summary>
/// <remarks>
/// NOTE: no mongo:8 image was available where the mongosh answers were written, so they have
/// not yet run against a server; the SQL answers have.
/// </remarks>
public sealed class QueryStores : IAsyncLifetime
{
    /// <summary>The MongoDB image, the same tag as the compose file's.</summary>
    public const string MongoImage = "mongo:8";

    private const string MongoUser = "pipeline";
    private const string MongoPassword = "pipeline";
    private const string MongoDatabase = "pipeline";
    private const string AnalystPassword = "analyst-password-of-the-tests";
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(3);

    private readonly PostgresFixture postgres = new();
    private MongoDbContainer? mongo;

    /// <summary>The source pages that were loaded.</summary>
    public SourceCorpus Corpus { get; } = SourceCorpus.Load();

    /// <summary>The connection string of the loaded database, as the owner that the writers use.</summary>
    public string PostgresConnectionString { get; private set; } = "";

    /// <summary>The connection string of the loaded database as the read-only analyst role, which the documented queries use.</summary>
    public string AnalystConnectionString => new NpgsqlConnectionStringBuilder(PostgresConnectionString)
    {
        Username = "analyst",
        Password = AnalystPassword,
    }.ConnectionString;

    /// <summary>Why MongoDB cannot run here; null when it was loaded.</summary>
    public string? MongoUnavailableReason { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        await postgres.InitializeAsync();
        if (postgres.UnavailableReason is not null)
        {
            MongoUnavailableReason = postgres.UnavailableReason;
            return;
        }

        using var timeout = new CancellationTokenSource(DrainLimit);
        var cancellationToken = timeout.Token;
        PostgresConnectionString = await CreateDatabaseAsync(cancellationToken);

        MongoUnavailableReason = DockerEngine.HasImage(MongoImage)
            ? null
            : $"The {MongoImage} image is not on this machine (docker image inspect {MongoImage} failed), and tests never pull images; the mongosh answers were not run. Load {MongoImage} into the local Docker engine to run them.";
        if (MongoUnavailableReason is null)
        {
            mongo = new MongoDbBuilder(MongoImage).WithUsername(MongoUser).WithPassword(MongoPassword).Build();
            await mongo.StartAsync(cancellationToken);
        }

        using var postgresWriter = BuildPostgresWriter();
        using var mongoWriter = mongo is null ? null : BuildMongoWriter(mongo.GetConnectionString());
        await postgresWriter.StartAsync(cancellationToken);
        await EnqueueAsync(postgresWriter.Services.GetRequiredService<QueueClient>(), cancellationToken);
        await WaitForDrainAsync(PostgresWriterHosting.DefaultSubscription, cancellationToken);
        await postgresWriter.StopAsync(cancellationToken);

        if (mongoWriter is not null)
        {
            await mongoWriter.StartAsync(cancellationToken);
            await WaitForDrainAsync(MongoWriterHosting.DefaultSubscription, cancellationToken);
            await mongoWriter.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (mongo is not null)
        {
            await mongo.DisposeAsync();
        }

        await postgres.DisposeAsync();
    }

    /// <summary>Skips the calling test when Docker is missing (or fails it where Docker is required).</summary>
    public void RequirePostgres() => DockerEngine.SkipWhenUnavailable(postgres.UnavailableReason);

    /// <summary>Runs a query and returns its rows, each value in the compared form.</summary>
    public static async Task<List<IReadOnlyDictionary<string, string?>>> QueryPostgresAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<IReadOnlyDictionary<string, string?>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = Answer.Format(reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Runs a mongosh expression that yields a cursor inside the MongoDB container and returns
    /// the documents, each value in the compared form. Skips the test where MongoDB cannot run.
    /// </summary>
    public async Task<List<IReadOnlyDictionary<string, string?>>> QueryMongoAsync(string expression, CancellationToken cancellationToken)
    {
        if (mongo is null)
        {
            RequirePostgres();
            Assert.Skip(MongoUnavailableReason ?? "MongoDB did not start.");
        }

        var script = $"print(EJSON.stringify(({expression.TrimEnd().TrimEnd(';')}).toArray(), {{ relaxed: true }}))";
        var result = await mongo.ExecAsync(
            ["mongosh", "--quiet", "--username", MongoUser, "--password", MongoPassword, "--authenticationDatabase", "admin", MongoDatabase, "--eval", script],
            cancellationToken);
        Assert.True(result.ExitCode == 0, $"mongosh exited with {result.ExitCode}: {result.Stderr}\n{result.Stdout}");

        using var documents = JsonDocument.Parse(result.Stdout);
        return [.. documents.RootElement.EnumerateArray().Select(MongoRow)];
    }

    private async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"querying_{Guid.NewGuid():N}"[..30];
        await using (var connection = new NpgsqlConnection(postgres.Container.GetConnectionString()))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(postgres.Container.GetConnectionString()) { Database = name }.ConnectionString;
    }

    private async Task EnqueueAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        for (var index = 0; index < Corpus.Files.Count; index++)
        {
            var file = Corpus.Files[index];
            var source = new CollectionSource("import", Path.GetFileName(file));
            foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0))
            {
                using var document = JsonDocument.Parse(line);
                var page = ApiPage.Parse(document.RootElement, source, SourceCorpus.CollectedAt(index));
                var messages = page.Tweets.Select(envelope => new OutgoingMessage(envelope.Id, envelope.ToJson())).ToList();
                await queue.EnqueueAsync(messages, cancellationToken);
            }
        }

        // Deletions come after every page, as a compliance job's results come after the tweets.
        var deletions = new List<OutgoingMessage>();
        var complianceSource = new CollectionSource("compliance", Path.GetFileName(SourceCorpus.ComplianceFile));
        foreach (var line in File.ReadLines(TestData.Path(SourceCorpus.ComplianceFile)).Where(l => l.Trim().Length > 0))
        {
            using var document = JsonDocument.Parse(line);
            var deletion = ComplianceResult.Parse(document.RootElement, complianceSource, SourceCorpus.CollectedAt(Corpus.Files.Count));
            if (deletion is not null)
            {
                deletions.Add(new OutgoingMessage(deletion.Id, deletion.ToJson()));
            }
        }

        await queue.EnqueueAsync(deletions, cancellationToken);
    }

    private async Task WaitForDrainAsync(string subscription, CancellationToken cancellationToken)
    {
        const string Drained = """
            select s.next_id > coalesce((select max(id) from queue.messages), 0)
                   and not exists (select 1 from queue.claims c where c.subscription = s.name)
                   and not exists (select 1 from queue.retries r where r.subscription = s.name)
              from queue.subscriptions s
             where s.name = $1
            """;
        await using var dataSource = NpgsqlDataSource.Create(PostgresConnectionString);
        while (true)
        {
            await using var command = dataSource.CreateCommand(Drained);
            command.Parameters.Add(new NpgsqlParameter { Value = subscription });
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        await using var dead = dataSource.CreateCommand("select count(*) from queue.dead_letters where subscription = $1");
        dead.Parameters.Add(new NpgsqlParameter { Value = subscription });
        var deadLetters = (long)(await dead.ExecuteScalarAsync(cancellationToken))!;
        Assert.True(deadLetters == 0, $"{deadLetters} source tweets were dead-lettered by {subscription}; the documented answers would miss them.");
    }

    private IHost BuildPostgresWriter()
    {
        var builder = NewBuilder(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = PostgresConnectionString,
            ["Database:AnalystPassword"] = AnalystPassword,
        });
        builder.AddPipelineDefaults();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddPostgresWriter();
        builder.AddQueueConsumer<TweetBatchHandler>();
        return builder.Build();
    }

    private IHost BuildMongoWriter(string mongoConnectionString)
    {
        var builder = NewBuilder(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = PostgresConnectionString,
            ["ConnectionStrings:Mongo"] = mongoConnectionString,
            ["Mongo:Database"] = MongoDatabase,
        });
        builder.AddPipelineDefaults();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMongo();
        builder.AddMongoWriter();
        return builder.Build();
    }

    private static HostApplicationBuilder NewBuilder(Dictionary<string, string?> settings)
    {
        // No default sources, so the machine's environment variables cannot change the load.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    private static Dictionary<string, string?> MongoRow(JsonElement document)
    {
        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var field in document.EnumerateObject())
        {
            row[field.Name] = MongoValue(field.Value);
        }

        return row;
    }

    private static string? MongoValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number when value.TryGetInt64(out var integer) => Answer.Format(integer),
        JsonValueKind.Number => Answer.Format(value.GetDecimal()),
        JsonValueKind.Object when value.TryGetProperty("$date", out var date) => Answer.Format(DateTimeOffset.Parse(date.GetString()!, CultureInfo.InvariantCulture)),
        JsonValueKind.Object when value.TryGetProperty("$numberLong", out var number) => number.GetString(),
        _ => value.GetRawText(),
    };
}
