using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>The digest against the stand-in webhook and the Postgres writer's tables in a real PostgreSQL.</summary>
[Collection(UsesPostgres.Name)]
public sealed class DigestTests(PostgresFixture fixture) : BotDatabaseTests(fixture)
{
    private static readonly DateTimeOffset PeriodStart = new(2024, 1, 1, 11, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PeriodEnd = PeriodStart.AddHours(1);

    [Fact]
    public async Task Digest_Period_ListsTopTweetsByEngagement()
    {
        await StartWithWriterTablesAsync();
        await InsertTweetAsync(1, PeriodStart.AddMinutes(1), likes: 5);
        await InsertTweetAsync(2, PeriodStart.AddMinutes(2), likes: 1, retweets: 1, quotes: 1, replies: 10);
        await InsertTweetAsync(3, PeriodStart.AddMinutes(3), likes: 2);
        await InsertTweetAsync(4, PeriodStart.AddMinutes(4), likes: 7);
        await InsertTweetAsync(5, PeriodStart.AddMinutes(-1), likes: 100);
        await InsertTweetAsync(6, PeriodEnd, likes: 100);
        await InsertTweetAsync(7, PeriodStart.AddMinutes(5), likes: 100, retweetOf: 1);
        await InsertTweetAsync(8, PeriodStart.AddMinutes(6), likes: 100, referencedOnly: true);

        await PostDigestAsync();

        var post = Assert.Single(Slack.Posts);
        Assert.Equal(["/status/2|", "/status/4|", "/status/1|"], ListedLinks(post.Body));
        Assert.Equal([1L, 2L, 4L], await QueryAsync<long>("select tweet_id from slackbot.posted where confirmed_at is not null and digest_period_start is not null order by tweet_id"));
        Assert.Equal(3, await ScalarAsync<int>("select tweet_count from slackbot.digests where confirmed_at is not null"));
        Assert.Single(Bot.Logs.WithEventId(5011));
    }

    [Fact]
    public async Task Digest_SamePeriodTwice_PostsOnce()
    {
        await StartWithWriterTablesAsync();
        await InsertTweetAsync(1, PeriodStart.AddMinutes(1), likes: 5);
        await InsertTweetAsync(2, PeriodStart.AddMinutes(2), likes: 4);

        await PostDigestAsync();
        await PostDigestAsync();

        Assert.Single(Slack.Posts);
    }

    [Fact]
    public async Task Digest_TweetPostedBefore_LeftOut()
    {
        await StartWithWriterTablesAsync();
        await InsertTweetAsync(1, PeriodStart.AddMinutes(1), likes: 5);
        await InsertTweetAsync(2, PeriodStart.AddMinutes(2), likes: 4);
        await ExecuteAsync("insert into slackbot.posted (tweet_id, posted_at, confirmed_at) values (1, now(), now())");

        await PostDigestAsync();

        Assert.Equal(["/status/2|"], ListedLinks(Assert.Single(Slack.Posts).Body));
    }

    [Fact]
    public async Task Digest_ListedTweet_NotPostedByRulesLater()
    {
        await StartWithWriterTablesAsync();
        await InsertTweetAsync(1, PeriodStart.AddMinutes(1), likes: 5, text: "brexit");
        await PostDigestAsync();

        await Bot.AdvanceUntilDoneAsync(() => Bot.Handler.HandleAsync(
            TestTweets.Messages(1, TestTweets.Envelope(TestTweets.Tweet(1, "brexit"))), TestContext.Current.CancellationToken));

        Assert.Single(Slack.Posts);
    }

    [Fact]
    public async Task Digest_NoTweets_PostsNothing()
    {
        await StartWithWriterTablesAsync();

        await PostDigestAsync();

        Assert.Empty(Slack.Posts);
        Assert.Single(Bot.Logs.WithEventId(5012));
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from slackbot.digests"));
    }

    [Fact]
    public async Task Digest_SlackUnavailable_ReleasesPeriod()
    {
        await StartWithWriterTablesAsync();
        await InsertTweetAsync(1, PeriodStart.AddMinutes(1), likes: 5);
        Slack.Enqueue([.. Enumerable.Repeat(new ScriptedResponse(500, "rollup_error"), SlackOptions.DefaultMaxRetryAttempts + 1)]);

        await PostDigestAsync();
        Assert.Single(Bot.Logs.WithEventId(5014));
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from slackbot.digests"));
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from slackbot.posted"));

        await PostDigestAsync();
        Assert.Equal(SlackOptions.DefaultMaxRetryAttempts + 2, Slack.Posts.Count);
        Assert.Equal(1, await ScalarAsync<long>("select count(*) from slackbot.digests where confirmed_at is not null"));
    }

    [Fact]
    public async Task Digest_WithoutWriterTables_LogsError()
    {
        await StartBotAsync(DigestSettings);

        await PostDigestAsync();

        Assert.Contains("tweets", Assert.Single(Bot.Logs.WithEventId(5015)).Exception, StringComparison.Ordinal);
        Assert.Empty(Slack.Posts);
    }

    [Fact]
    public async Task Worker_HourlyDigest_PostsAtPeriodEnd()
    {
        await StartWithWriterTablesAsync();
        await InsertTweetAsync(1, BotHost.Start.AddMinutes(20), likes: 5);
        Clock.Advance(TimeSpan.FromMinutes(10));
        var worker = Bot.Services.GetServices<IHostedService>().OfType<DigestWorker>().Single();

        await worker.StartAsync(TestContext.Current.CancellationToken);
        await Bot.AdvanceUntilDoneAsync(async () =>
        {
            while (Slack.Posts.Count == 0)
            {
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }

            return 0;
        }, TimeSpan.FromSeconds(5));
        await worker.StopAsync(TestContext.Current.CancellationToken);

        var post = Assert.Single(Slack.Posts);
        Assert.True(post.ReceivedAt >= BotHost.Start.AddHours(1), $"The digest came at {post.ReceivedAt:O}.");
        Assert.Contains("2024-01-01 12:00 to 2024-01-01 13:00 UTC", post.Body, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> DigestSettings => new()
    {
        ["Slack:Keywords:0"] = "brexit",
        ["Slack:DigestInterval"] = "01:00:00",
        ["Slack:DigestSize"] = "3",
    };

    private static List<string> ListedLinks(string body)
    {
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("blocks").EnumerateArray()
            .Where(block => block.GetProperty("type").GetString() == "context")
            .Select(block => block.GetProperty("elements")[1].GetProperty("text").GetString()!)
            .Select(link => link[link.IndexOf("/status/", StringComparison.Ordinal)..(link.IndexOf('|', StringComparison.Ordinal) + 1)])];
    }

    private async Task StartWithWriterTablesAsync()
    {
        await StartBotAsync(DigestSettings);

        // The Postgres writer's tables, as its first migration creates them.
        await ExecuteAsync(await File.ReadAllTextAsync(
            Path.Combine(TestData.RepositoryRoot, "deploy", "postgres", "migrations", "tweets", "0001_tweets.sql"),
            TestContext.Current.CancellationToken));
    }

    private async Task PostDigestAsync()
    {
        var worker = Bot.Services.GetServices<IHostedService>().OfType<DigestWorker>().Single();
        await Bot.AdvanceUntilDoneAsync(async () =>
        {
            await worker.PostDigestAsync(PeriodStart, PeriodEnd, TestContext.Current.CancellationToken);
            return 0;
        });
    }

    private async Task InsertTweetAsync(
        long id, DateTimeOffset createdAt, long likes = 0, long retweets = 0, long quotes = 0, long replies = 0,
        long? retweetOf = null, bool referencedOnly = false, string text = "a tweet")
    {
        await ExecuteAsync(
            """
            insert into public.users (id, username, name, observed_at, raw, first_stored_at, updated_at)
            values (100, 'ada', 'Ada Lovelace', now(), '{}', now(), now())
            on conflict (id) do nothing;

            insert into public.tweets (id, author_id, text, full_text, created_at, lang, like_count, retweet_count,
                                       quote_count, reply_count, metrics_observed_at, raw, referenced_only,
                                       collected_at, first_stored_at, updated_at)
            values (@Id, 100, @Text, @Text, @CreatedAt, 'en', @Likes, @Retweets, @Quotes, @Replies, now(), '{}',
                    @ReferencedOnly, now(), now(), now());
            """,
            new { Id = id, Text = text, CreatedAt = createdAt, Likes = likes, Retweets = retweets, Quotes = quotes, Replies = replies, ReferencedOnly = referencedOnly });
        if (retweetOf is { } original)
        {
            await ExecuteAsync(
                "insert into public.referenced_tweets (tweet_id, referenced_id, type) values (@Id, @Original, 'retweeted')",
                new { Id = id, Original = original });
        }
    }
}
