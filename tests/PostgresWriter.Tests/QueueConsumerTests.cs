using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>The writer as the service runs it: the real host, migrations and <see cref="QueueConsumer"/>.</summary>
[Collection(UsesPostgres.Name)]
public sealed class QueueConsumerTests(PostgresFixture fixture)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Consumer_EnqueuedEnvelopes_StoresTweets()
    {
        var connectionString = await fixture.CreateDatabaseAsync();
        var cancellationToken = TestContext.Current.CancellationToken;
        using var host = BuildHost(connectionString);
        await host.StartAsync(cancellationToken);

        var envelopes = Envelopes.FromRecordedPages("docnow-twarc-csv/brexit.jsonl");
        var messages = envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson())).ToList();
        messages.Add(new OutgoingMessage("not-a-tweet", """{"id": "1"}"""));
        await host.Services.GetRequiredService<QueueClient>().EnqueueAsync(messages, cancellationToken);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var stored = await WaitForAsync(dataSource, "select count(*) from public.tweets where not referenced_only", envelopes.Count);
        var retrying = await WaitForAsync(dataSource, "select count(*) from queue.retries where subscription = 'postgres-writer' and last_error like 'Invalid tweet envelope%'", 1);
        await host.StopAsync(cancellationToken);

        Assert.Equal(envelopes.Count, stored);
        Assert.Equal(1, retrying);
    }

    private static IHost BuildHost(string connectionString)
    {
        // No default sources, so the machine's environment variables cannot change the test.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
        });
        builder.AddPipelineDefaults();
        builder.AddPostgresWriter();
        builder.AddQueueConsumer<TweetBatchHandler>();
        return builder.Build();
    }

    /// <summary>Polls a count until it reaches <paramref name="expected"/> or the wait limit passes, and returns the last count.</summary>
    private static async Task<long> WaitForAsync(NpgsqlDataSource dataSource, string countSql, long expected)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        while (true)
        {
            await using var command = dataSource.CreateCommand(countSql);
            var count = (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            if (count >= expected || DateTimeOffset.UtcNow > deadline)
            {
                return count;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }
}
