using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>Not-found tweets of filtered-stream lines, enqueued as deletions with the stream's batch.</summary>
[Collection(SharedPostgres.Name)]
public sealed class StreamDeletionTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Token = "test-bearer-token-stream-deletions-5e1a";

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs logs = new();
    private FakeXApi api = null!;
    private string database = null!;

    public async ValueTask InitializeAsync()
    {
        database = await postgres.CreateDatabaseAsync();
        api = await FakeXApi.StartAsync(clock, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task StreamLine_NotFoundTweet_EnqueuedAsDeletion()
    {
        // The first line reports a referenced tweet not found, and the second a tweet of the first
        // line, which exists, so only the first error becomes a deletion.
        var stream = api.EnqueueStream();
        stream.SendLine(WithNotFoundError(StreamMessages.TweetLine(0), "851951598326689792"));
        stream.SendLine(WithNotFoundError(StreamMessages.TweetLine(1), StreamMessages.IdOf(0)));

        var settings = RunningCollector.XApiSettings(api, Token);
        settings["Collector:Source"] = "filtered_stream";
        settings["Collector:Rules:0:Value"] = "#brexit";
        settings["Collector:Rules:0:Tag"] = "brexit";
        await using (var collector = RunningCollector.Start(database, settings, logs, clock))
        {
            await logs.WaitForAsync(2000);
            await clock.AdvanceUntilAsync(
                async () => (await QueueContents.KeysAsync(database)).Count >= 3,
                TimeSpan.FromMilliseconds(250),
                "two tweets and one deletion queued");
        }

        await QueueContents.AssertHoldsEachOnceAsync(database, [StreamMessages.IdOf(0), StreamMessages.IdOf(1), "851951598326689792"]);
        var payload = await QueueContents.ScalarAsync<string>(database, "select payload::text from queue.messages where message_key = '851951598326689792'");
        var deletion = TweetMessage.Parse(payload).Deletion!;
        Assert.Equal(TweetDeletion.NotFound, deletion.Reason);
        Assert.Equal("filtered_stream", deletion.Source.Kind);
    }

    private static string WithNotFoundError(string line, string tweetId)
    {
        var message = JsonNode.Parse(line)!.AsObject();
        message["errors"] = new JsonArray(new JsonObject
        {
            ["value"] = tweetId,
            ["detail"] = $"Could not find tweet with referenced_tweets.id: [{tweetId}].",
            ["title"] = "Not Found Error",
            ["resource_type"] = "tweet",
            ["parameter"] = "referenced_tweets.id",
            ["resource_id"] = tweetId,
            ["type"] = "https://api.twitter.com/2/problems/resource-not-found",
        });
        return message.ToJsonString();
    }
}
