using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>The queue handler against the stand-in webhook and a real PostgreSQL, on a fake clock.</summary>
[Collection(UsesPostgres.Name)]
public sealed class SlackbotHandlerTests(PostgresFixture fixture) : BotDatabaseTests(fixture)
{
    [Fact]
    public async Task Handle_MatchingTweets_PostsEachOnce()
    {
        await StartBotAsync();
        var messages = TestTweets.Messages(
            1,
            TestTweets.Envelope(TestTweets.Tweet(11, "Brexit news"), TestTweets.User()),
            TestTweets.Envelope(TestTweets.Tweet(12, "cats and dogs"), TestTweets.User()),
            TestTweets.Envelope(TestTweets.Tweet(13, "more on brexit"), TestTweets.User()));

        var failures = await HandleAsync(Bot, messages);

        Assert.Empty(failures);
        Assert.Equal(2, Slack.Posts.Count);
        Assert.Contains("/status/11|", Slack.Posts[0].Body, StringComparison.Ordinal);
        Assert.Contains("/status/13|", Slack.Posts[1].Body, StringComparison.Ordinal);
        Assert.Equal([11L, 13L], await ConfirmedTweetIdsAsync());
    }

    [Fact]
    public async Task Handle_SameTweetTwiceInBatch_PostsOnce()
    {
        await StartBotAsync();
        var envelope = TestTweets.Envelope(TestTweets.Tweet(21, "brexit"), TestTweets.User());

        await HandleAsync(Bot, TestTweets.Messages(1, envelope, envelope));

        Assert.Single(Slack.Posts);
    }

    [Fact]
    public async Task Handle_InvalidEnvelope_ReturnsFailure()
    {
        await StartBotAsync();
        var messages = new List<QueueMessage>
        {
            new(1, TestTweets.CollectedAt, "x", """{"id": "1"}""", 1),
            TestTweets.Messages(2, TestTweets.Envelope(TestTweets.Tweet(31, "brexit")))[0],
        };

        var failures = await HandleAsync(Bot, messages);

        Assert.Equal(1, Assert.Single(failures).MessageId);
        Assert.Single(Slack.Posts);
    }

    [Fact]
    public async Task Handle_Deletion_AcknowledgedWithoutPost()
    {
        await StartBotAsync();
        var deletion = new TweetDeletion("51", "deleted", new CollectionSource("compliance", "results.jsonl"), TestTweets.CollectedAt);
        var messages = new List<QueueMessage>
        {
            new(1, TestTweets.CollectedAt, deletion.Id, deletion.ToJson(), 1),
            TestTweets.Messages(2, TestTweets.Envelope(TestTweets.Tweet(52, "brexit"), TestTweets.User()))[0],
        };

        var failures = await HandleAsync(Bot, messages);

        Assert.Empty(failures);
        var post = Assert.Single(Slack.Posts);
        Assert.Contains("/status/52|", post.Body, StringComparison.Ordinal);
        Assert.Equal([52L], await ConfirmedTweetIdsAsync());
    }

    [Fact]
    public async Task Handle_Redelivery_NotPostedAgain()
    {
        await StartBotAsync();
        var queue = new QueueClient(Bot.Services.GetRequiredService<NpgsqlDataSource>(), Clock);
        var token = TestContext.Current.CancellationToken;
        await queue.SubscribeAsync("slackbot", SubscriptionStart.Oldest, token);
        var envelopes = new[] { 41L, 42L, 43L }.Select(id => TestTweets.Envelope(TestTweets.Tweet(id, $"brexit {id}"), TestTweets.User())).ToList();
        await queue.EnqueueAsync([.. envelopes.Select(e => new OutgoingMessage(e.Id, e.ToJson()))], token);

        // The first process posts the batch and is killed before it acknowledges.
        var first = (await queue.ClaimAsync("slackbot", "first", 10, TimeSpan.FromSeconds(30), token))!;
        await HandleAsync(Bot, first.Messages);
        Assert.Equal(3, Slack.Posts.Count);

        // Its lease runs out, and a restarted process receives the same batch.
        Clock.Advance(TimeSpan.FromSeconds(31));
        var second = (await queue.ClaimAsync("slackbot", "second", 10, TimeSpan.FromSeconds(30), token))!;
        await using var restarted = BotHost.Create(Slack.Url, ConnectionString, clock: Clock);
        var failures = await HandleAsync(restarted, second.Messages);
        var acknowledged = await queue.AckAsync(second, failures, new RetryPolicy(5, TimeSpan.Zero, TimeSpan.Zero), token);

        Assert.Equal(2, second.Deliveries);
        Assert.Equal(first.Messages.Select(m => m.Id), second.Messages.Select(m => m.Id));
        Assert.Equal(3, Slack.Posts.Count);
        Assert.True(acknowledged);
        Assert.Contains("0 posted, 3 posted before", Assert.Single(restarted.Logs.WithEventId(5002)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_KilledBeforeSlackAnswered_NotPostedAgain()
    {
        await StartBotAsync();

        // A reservation without confirmation: the process died while the post was in flight.
        await ExecuteAsync("insert into slackbot.posted (tweet_id, posted_at) values (51, now())");
        await HandleAsync(Bot, TestTweets.Messages(1, TestTweets.Envelope(TestTweets.Tweet(51, "brexit"))));

        Assert.Empty(Slack.Posts);
        Assert.Contains("51", Assert.Single(Bot.Logs.WithEventId(5003)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_SlackUnavailable_ThrowsAndPostsLater()
    {
        await StartBotAsync();
        Slack.Enqueue([.. Enumerable.Repeat(new ScriptedResponse(503, "unavailable"), SlackOptions.DefaultMaxRetryAttempts + 1)]);
        var messages = TestTweets.Messages(1, TestTweets.Envelope(TestTweets.Tweet(61, "brexit")));

        var error = await Assert.ThrowsAsync<SlackUnavailableException>(() => HandleAsync(Bot, messages));
        Assert.True(Bot.Handler.IsTransient(error));
        Assert.Empty(await ConfirmedTweetIdsAsync());
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from slackbot.posted"));

        await HandleAsync(Bot, messages);
        Assert.Equal([61L], await ConfirmedTweetIdsAsync());
    }

    [Fact]
    public async Task Handle_RejectedMessage_ReturnsFailureAndReleases()
    {
        await StartBotAsync();
        Slack.Enqueue(new ScriptedResponse(400, "invalid_blocks"));

        var failures = await HandleAsync(Bot, TestTweets.Messages(7, TestTweets.Envelope(TestTweets.Tweet(71, "brexit"))));

        var failure = Assert.Single(failures);
        Assert.Equal(7, failure.MessageId);
        Assert.Contains("invalid_blocks", failure.Error, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from slackbot.posted"));
    }

    [Fact]
    public async Task Handle_DeadWebhook_SkipsAndAcknowledges()
    {
        await StartBotAsync();
        Slack.Enqueue(new ScriptedResponse(404, "no_service"));
        var first = TestTweets.Messages(1, [.. new[] { 81L, 82L, 83L }.Select(id => TestTweets.Envelope(TestTweets.Tweet(id, "brexit")))]);
        var second = TestTweets.Messages(4, [.. new[] { 84L, 85L }.Select(id => TestTweets.Envelope(TestTweets.Tweet(id, "brexit")))]);

        var firstFailures = await HandleAsync(Bot, first);
        var secondFailures = await HandleAsync(Bot, second);

        Assert.Empty(firstFailures);
        Assert.Empty(secondFailures);
        Assert.Single(Slack.Posts);
        var skipped = Bot.Logs.WithEventId(5006);
        Assert.Equal(2, skipped.Count);
        Assert.Contains("Skipped 3 matching tweets", skipped[0].Message, StringComparison.Ordinal);
        Assert.Contains("5 since the webhook failed", skipped[1].Message, StringComparison.Ordinal);
        Assert.Contains("Slack__WebhookUrl", skipped[1].Message, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from slackbot.posted"));
    }

    [Fact]
    public async Task Handle_BrexitPage_PostsEachMatchOnce()
    {
        await StartBotAsync(new Dictionary<string, string?> { ["Slack:Keywords:0"] = null, ["Slack:Hashtags:0"] = "brexit" });
        var envelopes = TestTweets.FromRecordedPage("docnow-twarc-csv/brexit.jsonl");
        var expected = envelopes
            .Where(e => Tweet.Parse(e.Tweet).RetweetedId is null
                && TweetEntities.ParseFullText(e.Tweet).Hashtags.Any(h => h.Tag.Equals("brexit", StringComparison.OrdinalIgnoreCase)))
            .Select(e => long.Parse(e.Id, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct()
            .Order()
            .ToList();

        await HandleAsync(Bot, TestTweets.Messages(1, [.. envelopes]));
        await HandleAsync(Bot, TestTweets.Messages(1000, [.. envelopes]));

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, Slack.Posts.Count);
        Assert.Equal(expected, await ConfirmedTweetIdsAsync());
    }

    private static Task<IReadOnlyList<MessageFailure>> HandleAsync(BotHost host, IReadOnlyList<QueueMessage> messages) =>
        host.AdvanceUntilDoneAsync(() => host.Handler.HandleAsync(messages, TestContext.Current.CancellationToken));

    private Task<List<long>> ConfirmedTweetIdsAsync() =>
        QueryAsync<long>("select tweet_id from slackbot.posted where confirmed_at is not null order by tweet_id");
}
