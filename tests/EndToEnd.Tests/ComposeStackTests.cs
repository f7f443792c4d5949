using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;
using Npgsql;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// Builds the images from the real Dockerfiles, starts the compose stack and lets the collector
/// replay its bundled sample. MongoDB and its writer join only where the mongo:8 image exists,
/// because no MongoDB image can be had on every machine; the PostgreSQL path always runs.
/// </summary>
public sealed class ComposeStackTests
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ComposeUp_ReplaysSample_StoresEveryTweetOnce()
    {
        DockerEngine.SkipWhenUnavailable(DockerEngine.UnavailableReason());
        var withMongo = DockerEngine.HasImage("mongo:8");
        if (!withMongo)
        {
            TestContext.Current.SendDiagnosticMessage("mongo:8 is not present here; the stack runs without MongoDB and its writer.");
        }

        var expected = SampleTweets.Read();
        Assert.NotEmpty(expected);

        await using var stack = new ComposeStack(withMongo);
        stack.Build();
        var started = Stopwatch.StartNew();
        stack.Up();

        var stored = await WaitForPostgresAsync(stack, expected.Count);
        TestContext.Current.SendDiagnosticMessage($"PostgreSQL held all {expected.Count} sample tweets {started.Elapsed.TotalSeconds:F1} s after compose up.");

        Assert.True(stored.Count == expected.Count, $"expected {expected.Count} tweets in PostgreSQL, found {stored.Count}\n{stack.Logs()}");
        Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
        foreach (var (id, (text, createdAt)) in expected)
        {
            Assert.Equal(text, stored[id].Text);
            Assert.Equal(createdAt, stored[id].CreatedAt);
        }

        Assert.Equal(0L, await CountAsync(stack, "select count(*) from queue.dead_letters"));

        if (withMongo)
        {
            await AssertMongoAsync(stack, expected);
        }
    }

    private static async Task<Dictionary<long, (string Text, DateTimeOffset CreatedAt)>> WaitForPostgresAsync(ComposeStack stack, int expectedCount)
    {
        var deadline = Stopwatch.StartNew();
        var stored = new Dictionary<long, (string Text, DateTimeOffset CreatedAt)>();
        while (deadline.Elapsed < StoreTimeout)
        {
            try
            {
                stored = await ReadTweetsAsync(stack);
                if (stored.Count >= expectedCount)
                {
                    // Let redeliveries, if any, land, then read once more.
                    await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
                    return await ReadTweetsAsync(stack);
                }
            }
            catch (NpgsqlException)
            {
                // The database or the writer's schema is not there yet.
            }
            catch (InvalidOperationException)
            {
                // The port is bound but the server is still starting.
            }

            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        return stored;
    }

    private static async Task<Dictionary<long, (string Text, DateTimeOffset CreatedAt)>> ReadTweetsAsync(ComposeStack stack)
    {
        var token = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(stack.PostgresConnectionString);
        await connection.OpenAsync(token);
        await using var command = new NpgsqlCommand("select id, text, created_at from tweets", connection);
        await using var reader = await command.ExecuteReaderAsync(token);
        var stored = new Dictionary<long, (string Text, DateTimeOffset CreatedAt)>();
        while (await reader.ReadAsync(token))
        {
            stored.Add(reader.GetInt64(0), (reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return stored;
    }

    private static async Task<long> CountAsync(ComposeStack stack, string sql)
    {
        await using var connection = new NpgsqlConnection(stack.PostgresConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static async Task AssertMongoAsync(ComposeStack stack, Dictionary<long, (string Text, DateTimeOffset CreatedAt)> expected)
    {
        var token = TestContext.Current.CancellationToken;
        var tweets = new MongoClient(stack.MongoConnectionString).GetDatabase("pipeline").GetCollection<BsonDocument>("tweets");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StoreTimeout && await tweets.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: token) < expected.Count)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), token);
        }

        var documents = await tweets.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(token);
        Assert.Equal(expected.Count, documents.Count);
        foreach (var document in documents)
        {
            var id = long.Parse(document["_id"].AsString, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected[id].Text, document["text"].AsString);
            Assert.Equal(expected[id].CreatedAt, new DateTimeOffset(document["created_at"].ToUniversalTime()));
        }
    }
}
