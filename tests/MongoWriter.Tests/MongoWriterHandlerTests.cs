using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

public sealed class MongoWriterHandlerTests
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";

    private readonly InMemoryTweetStore store = new();

    [Fact]
    public async Task HandleAsync_RecordedPage_StoresEveryTweet()
    {
        var envelopes = RecordedPages.Read(Brexit);

        var failures = await CreateHandler().HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal(envelopes.Select(e => e.Id).Order(), store.Tweets.Keys.Order());
    }

    [Fact]
    public async Task HandleAsync_RecordedPage_StoresEveryAuthorOnce()
    {
        var envelopes = RecordedPages.Read(Brexit);
        var expected = envelopes
            .SelectMany(e => e.ReferencedTweets.Select(r => r.Author).Prepend(e.Author))
            .OfType<JsonElement>()
            .Select(author => author.GetProperty("id").GetString())
            .Distinct()
            .Order();

        await CreateHandler().HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        Assert.Equal(expected, store.Users.Keys.Order());
    }

    [Fact]
    public async Task HandleAsync_Redelivery_LeavesOneDocumentPerTweet()
    {
        var messages = RecordedPages.Read(Brexit).ToMessages();
        var handler = CreateHandler();

        await handler.HandleAsync(messages, TestContext.Current.CancellationToken);
        var failures = await handler.HandleAsync(messages, TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal(messages.Count, store.Tweets.Count);
    }

    [Fact]
    public async Task HandleAsync_OversizedTweet_FailsOnlyThatMessage()
    {
        var oversized = RecordedPages.FromTweetJson(JsonSerializer.Serialize(new { id = "77", text = new string('x', 17 * 1024 * 1024) }));
        var envelopes = RecordedPages.Read(Brexit).Take(3).Append(oversized).ToList();

        var failures = await CreateHandler().HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        var failure = Assert.Single(failures);
        Assert.Equal(4, failure.MessageId);
        Assert.Matches("^Tweet 77 is [0-9]{8} bytes as BSON, above MongoDB's maximum document size of 16777216 bytes", failure.Error);
        Assert.Equal(3, store.Tweets.Count);
        Assert.False(store.Tweets.ContainsKey("77"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("""{"id": "1"}""")]
    [InlineData("""{"id": "1", "tweet": {"id": "1", "text": "a\ud800"}, "referenced_tweets": [], "media": [], "places": [], "polls": [], "source": {"kind": "replay", "name": "t"}, "collected_at": "2021-09-22T16:45:30Z"}""")]
    public async Task HandleAsync_InvalidPayload_FailsOnlyThatMessage(string payload)
    {
        var messages = RecordedPages.Read(Brexit).Take(2).ToMessages();
        messages.Add(new QueueMessage(3, RecordedPages.CollectedAt, "1", payload, 1));

        var failures = await CreateHandler().HandleAsync(messages, TestContext.Current.CancellationToken);

        Assert.Equal(3, Assert.Single(failures).MessageId);
        Assert.Equal(2, store.Tweets.Count);
    }

    [Fact]
    public async Task HandleAsync_RejectedDocument_ReturnsServerError()
    {
        var envelopes = RecordedPages.Read(Brexit).Take(3).ToList();
        var rejectedId = envelopes[1].Id;
        store.Reject = document => document["_id"] == rejectedId ? "nesting depth exceeded" : null;

        var failures = await CreateHandler().HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        var failure = Assert.Single(failures);
        Assert.Equal(2, failure.MessageId);
        Assert.Equal($"Tweet {rejectedId}: nesting depth exceeded", failure.Error);
    }

    [Fact]
    public async Task HandleAsync_RejectedUser_FailsMessagesCarryingIt()
    {
        var envelopes = RecordedPages.Read("docnow-twarc-csv/two_tweets.jsonl");
        store.Reject = document => document["_id"] == "1380086327023169540" && document.Contains("observed_at") ? "rejected" : null;

        var failures = await CreateHandler().HandleAsync(envelopes.ToMessages(), TestContext.Current.CancellationToken);

        var failure = Assert.Single(failures);
        Assert.Equal(1, failure.MessageId);
        Assert.Equal("User 1380086327023169540: rejected", failure.Error);
    }

    [Fact]
    public async Task HandleAsync_OlderObservation_KeepsNewerWithoutFailure()
    {
        var newer = RecordedPages.Read(Brexit, RecordedPages.CollectedAt.AddHours(1)).Take(2).ToList();
        var older = RecordedPages.Read(Brexit).Take(2).ToList();
        var handler = CreateHandler();

        await handler.HandleAsync(newer.ToMessages(), TestContext.Current.CancellationToken);
        var failures = await handler.HandleAsync(older.ToMessages(3), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.All(store.Tweets.Values, tweet => Assert.Equal(RecordedPages.CollectedAt.AddHours(1).UtcDateTime, tweet["metrics"]["observed_at"].ToUniversalTime()));
    }

    [Fact]
    public async Task HandleAsync_SameAuthorTwice_StoresNewestObservation()
    {
        var older = RecordedPages.Read("docnow-twarc-csv/two_tweets.jsonl");
        var newer = RecordedPages.Read("docnow-twarc-csv/two_tweets.jsonl", RecordedPages.CollectedAt.AddDays(1));
        var messages = newer.Concat(older).ToMessages();

        await CreateHandler().HandleAsync(messages, TestContext.Current.CancellationToken);

        Assert.Equal(RecordedPages.CollectedAt.AddDays(1).UtcDateTime, store.Users["1379899464345923590"]["observed_at"].ToUniversalTime());
    }

    [Fact]
    public async Task HandleAsync_StoreOutage_Throws()
    {
        store.ThrowOnNextCalls(ConnectionFailure(), 1);

        await Assert.ThrowsAsync<MongoConnectionException>(
            () => CreateHandler().HandleAsync(RecordedPages.Read(Brexit).ToMessages(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void IsTransient_ConnectionFailure_ReturnsTrue()
    {
        Assert.True(CreateHandler().IsTransient(ConnectionFailure()));
    }

    [Fact]
    public void IsTransient_ContentError_ReturnsFalse()
    {
        Assert.False(CreateHandler().IsTransient(new FormatException("bad tweet")));
    }

    /// <summary>Returns the exception the driver throws when a connection to the server fails.</summary>
    internal static MongoConnectionException ConnectionFailure() =>
        new(new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("localhost", 27017))), "connection refused");

    private MongoWriterHandler CreateHandler(DeletionMode mode = DeletionMode.Flag) =>
        new(store, Microsoft.Extensions.Options.Options.Create(new DeletionOptions { Mode = mode == DeletionMode.Remove ? DeletionOptions.RemoveName : DeletionOptions.FlagName }), NullLogger<MongoWriterHandler>.Instance);
}
