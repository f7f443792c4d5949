using Microsoft.Extensions.Logging;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>Bad input in a batch: edited posts and U+0000 among clean tweets.</summary>
[Collection(UsesPostgres.Name)]
public sealed class FaultCaseTests(PostgresFixture fixture)
{
    [Fact]
    public async Task EditedPost_BothVersions_CountedOnce()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var original = Envelopes.FromTweet("""{"id": "1500000000000000001", "text": "first", "edit_history_tweet_ids": ["1500000000000000001"]}""");
        var edit = Envelopes.FromTweet(
            """{"id": "1500000000000000002", "text": "second", "edit_history_tweet_ids": ["1500000000000000001", "1500000000000000002"]}""",
            collectedAt: Envelopes.CollectedAt.AddMinutes(5));

        await database.HandleAsync(Envelopes.Messages(1, original));
        await database.HandleAsync(Envelopes.Messages(2, edit));

        Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from public.tweets"));
        Assert.Equal(1500000000000000001L, await database.ScalarAsync<long>("select edit_chain_id from public.tweet_versions where id = 1500000000000000002"));
        Assert.True(await database.ScalarAsync<bool>("select is_latest from public.tweet_versions where id = 1500000000000000002"));
        Assert.False(await database.ScalarAsync<bool>("select is_latest from public.tweet_versions where id = 1500000000000000001"));
        Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from public.tweet_versions where is_latest"));
    }

    [Fact]
    public async Task EditArrivesFirst_OriginalLater_EditStaysLatest()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var edit = Envelopes.FromTweet("""{"id": "1500000000000000002", "text": "second", "edit_history_tweet_ids": ["1500000000000000001", "1500000000000000002"]}""");
        var original = Envelopes.FromTweet("""{"id": "1500000000000000001", "text": "first", "edit_history_tweet_ids": ["1500000000000000001", "1500000000000000002"]}""");

        await database.HandleAsync(Envelopes.Messages(1, edit));
        await database.HandleAsync(Envelopes.Messages(2, original));

        var latest = await database.QueryAsync<long>("select id from public.tweet_versions where is_latest");
        Assert.Equal([1500000000000000002L], latest);
    }

    [Fact]
    public async Task NullCharacterInBatch_OthersStoredAndCounted()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var logs = new CapturingLogger();
        var handler = new TweetBatchHandler(database.Store, logs);
        var messages = Envelopes.Messages(
            1,
            Envelopes.FromTweet("""{"id": "60", "text": "clean before"}"""),
            Envelopes.FromTweet("""{"id": "61", "text": "a\u0000b", "context": {"nested": [{"deep": "x\u0000y\u0000z"}]}}"""),
            Envelopes.FromTweet("""{"id": "62", "text": "clean after"}"""));

        var failures = await handler.HandleAsync(messages, TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal([60L, 61L, 62L], await database.QueryAsync<long>("select id from public.tweets order by id"));
        Assert.Equal("a\uFFFDb", await database.ScalarAsync<string>("select text from public.tweets where id = 61"));
        Assert.Equal("a\uFFFDb", await database.ScalarAsync<string>("select raw ->> 'text' from public.tweets where id = 61"));
        Assert.Equal("x\uFFFDy\uFFFDz", await database.ScalarAsync<string>("select raw #>> '{context,nested,0,deep}' from public.tweets where id = 61"));
        Assert.Equal("clean before", await database.ScalarAsync<string>("select text from public.tweets where id = 60"));
        Assert.Equal("clean after", await database.ScalarAsync<string>("select text from public.tweets where id = 62"));
        var replaced = Assert.Single(logs.Entries, e => e.EventId == 3001);
        Assert.Contains("Replaced 3 U+0000 characters with U+FFFD in 1 messages", replaced.Message, StringComparison.Ordinal);
    }

    /// <summary>A logger that keeps every entry with its event id and formatted message.</summary>
    private sealed class CapturingLogger : ILogger<TweetBatchHandler>
    {
        public List<(int EventId, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((eventId.Id, formatter(state, exception)));
            }
        }
    }
}
