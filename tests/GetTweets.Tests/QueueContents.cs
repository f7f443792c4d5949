using Npgsql;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>Reads what reached the queue and the collector's tables, and checks the queue against the expected tweet ids.</summary>
internal static class QueueContents
{
    /// <summary>Returns <c>message_key</c> of every queued message, in queue order.</summary>
    public static async Task<List<string>> KeysAsync(string connectionString)
    {
        var keys = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("select message_key from queue.messages order by id", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>Asserts that the queue contains each expected id, no other id, and none twice.</summary>
    public static async Task AssertHoldsEachOnceAsync(string connectionString, IReadOnlyCollection<string> expectedIds)
    {
        var keys = await KeysAsync(connectionString);
        Assert.Empty(expectedIds.Except(keys).Order());
        Assert.Empty(keys.Except(expectedIds).Order());
        Assert.Empty(keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).Order());
    }

    /// <summary>Runs a query that returns one value.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Runs a statement.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
