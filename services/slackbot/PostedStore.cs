using Dapper;
using Npgsql;
using Pipeline.Core.Tweets;
using Pipeline.Slackbot.Messages;

namespace Pipeline.Slackbot;

/// <summary>
/// The bot's SQL: the record of posted tweets and digests in schema <c>slackbot</c>, and the
/// digest's read of the tables that the Postgres writer fills.
/// </summary>
/// <remarks>
/// Each post follows reserve, post, confirm. The reservation row commits before the request
/// goes out, so a redelivered message finds it and is not posted again. This is at-most-once
/// delivery to Slack. The other orders would be at-least-once. With post-then-insert, or with an
/// inserted row whose transaction commits only after Slack's 2xx, a process killed after Slack
/// took the post but before the commit leaves no row. The redelivery then posts the tweet a
/// second time. The price of at-most-once is that a kill between the commit and Slack's
/// response loses that one post: its row keeps <c>confirmed_at</c> null, which marks the outcome
/// as unknown.
/// A post that Slack certainly did not take (an error status, a refused connection, a stop
/// before the request left) deletes its reservation again, so it is posted on the next delivery.
/// </remarks>
internal sealed class PostedStore(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    private const string ReserveTweet = """
        with inserted as (
            insert into slackbot.posted (tweet_id, posted_at)
            values (@TweetId, @Now)
            on conflict (tweet_id) do nothing
            returning tweet_id)
        select case
                 when exists (select 1 from inserted) then 0
                 when (select p.confirmed_at from slackbot.posted p where p.tweet_id = @TweetId) is not null then 1
                 else 2
               end
        """;

    // Retweets are left out, as the rules leave them out. Tweets known only as a reference were
    // not collected for themselves, and a tweet already in the channel is not listed again.
    private const string SelectTopTweets = """
        select t.id as TweetId,
               t.full_text as FullText,
               t.created_at as CreatedAt,
               t.author_id as AuthorId,
               u.name as AuthorName,
               u.username as AuthorUsername,
               t.retweet_count as RetweetCount,
               t.reply_count as ReplyCount,
               t.like_count as LikeCount,
               t.quote_count as QuoteCount,
               t.impression_count as ImpressionCount,
               t.bookmark_count as BookmarkCount
          from public.tweets t
          left join public.users u on u.id = t.author_id
         where t.created_at >= @From and t.created_at < @To
           and not t.referenced_only
           and not exists (select 1 from public.referenced_tweets r where r.tweet_id = t.id and r.type = 'retweeted')
           and not exists (select 1 from slackbot.posted p where p.tweet_id = t.id)
         order by coalesce(t.like_count, 0) + coalesce(t.retweet_count, 0) + coalesce(t.quote_count, 0) + coalesce(t.reply_count, 0) desc,
                  t.id desc
         limit @Size
        """;

    /// <summary>
    /// Records that the bot is about to post <paramref name="tweetId"/>, in a transaction of its
    /// own that commits before the post. Returns <see cref="Reservation.Reserved"/> when this
    /// call made the record, and otherwise what an earlier post left.
    /// </summary>
    public async Task<Reservation> ReserveAsync(long tweetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var state = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            ReserveTweet, new { TweetId = tweetId, Now = timeProvider.GetUtcNow() }, cancellationToken: cancellationToken));
        return (Reservation)state;
    }

    /// <summary>Marks the post of <paramref name="tweetId"/> as confirmed by Slack.</summary>
    public async Task ConfirmAsync(long tweetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update slackbot.posted set confirmed_at = @Now where tweet_id = @TweetId",
            new { TweetId = tweetId, Now = timeProvider.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Deletes the reservation of a post that Slack certainly did not take, so that a later delivery posts it.</summary>
    public async Task ReleaseAsync(long tweetId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from slackbot.posted where tweet_id = @TweetId and confirmed_at is null and digest_period_start is null",
            new { TweetId = tweetId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Returns up to <paramref name="size"/> tweets created in [<paramref name="from"/>,
    /// <paramref name="to"/>) with the highest sum of likes, retweets, quotes and replies, newest
    /// id first among equals, leaving out retweets and tweets already in the channel.
    /// </summary>
    public async Task<IReadOnlyList<TweetPost>> FindTopTweetsAsync(DateTimeOffset from, DateTimeOffset to, int size, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TopTweetRow>(new CommandDefinition(
            SelectTopTweets, new { From = from, To = to, Size = size }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToPost())];
    }

    /// <summary>Returns true when a digest of the period starting at <paramref name="periodStart"/> was posted or started.</summary>
    public async Task<bool> HasDigestAsync(DateTimeOffset periodStart, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from slackbot.digests where period_start = @PeriodStart)",
            new { PeriodStart = periodStart },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records in one transaction that the bot is about to post the digest of a period and the
    /// tweets it lists. Returns the ids reserved, which leave out any tweet that another post
    /// reserved meanwhile, or null when that period's digest was already reserved.
    /// </summary>
    public async Task<IReadOnlyList<long>?> ReserveDigestAsync(
        DateTimeOffset periodStart, DateTimeOffset periodEnd, IReadOnlyList<long> tweetIds, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into slackbot.digests (period_start, period_end, tweet_count, posted_at)
            values (@PeriodStart, @PeriodEnd, @TweetCount, @Now)
            on conflict (period_start) do nothing
            """,
            new { PeriodStart = periodStart, PeriodEnd = periodEnd, TweetCount = tweetIds.Count, Now = now },
            transaction,
            cancellationToken: cancellationToken));
        if (created == 0)
        {
            return null;
        }

        var reserved = (await connection.QueryAsync<long>(new CommandDefinition(
            """
            insert into slackbot.posted (tweet_id, posted_at, digest_period_start)
            select id, @Now, @PeriodStart from unnest(@TweetIds) as ids (id)
            on conflict (tweet_id) do nothing
            returning tweet_id
            """,
            new { TweetIds = tweetIds.ToArray(), Now = now, PeriodStart = periodStart },
            transaction,
            cancellationToken: cancellationToken))).ToHashSet();

        await connection.ExecuteAsync(new CommandDefinition(
            "update slackbot.digests set tweet_count = @TweetCount where period_start = @PeriodStart",
            new { TweetCount = reserved.Count, PeriodStart = periodStart },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return [.. tweetIds.Where(reserved.Contains)];
    }

    /// <summary>Marks a digest and the tweets it lists as confirmed by Slack.</summary>
    public async Task ConfirmDigestAsync(DateTimeOffset periodStart, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update slackbot.digests set confirmed_at = @Now where period_start = @PeriodStart;
            update slackbot.posted set confirmed_at = @Now where digest_period_start = @PeriodStart;
            """,
            new { PeriodStart = periodStart, Now = timeProvider.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Deletes the reservation of a digest that Slack certainly did not take, and with it those of its tweets.</summary>
    public async Task ReleaseDigestAsync(DateTimeOffset periodStart, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from slackbot.digests where period_start = @PeriodStart and confirmed_at is null",
            new { PeriodStart = periodStart },
            cancellationToken: cancellationToken));
    }

    /// <summary>One row of <see cref="SelectTopTweets"/>, as Dapper maps it.</summary>
    private sealed record TopTweetRow(
        long TweetId,
        string FullText,
        DateTime? CreatedAt,
        long? AuthorId,
        string? AuthorName,
        string? AuthorUsername,
        long? RetweetCount,
        long? ReplyCount,
        long? LikeCount,
        long? QuoteCount,
        long? ImpressionCount,
        long? BookmarkCount)
    {
        public TweetPost ToPost() => new(
            TweetId,
            FullText,
            CreatedAt is { } createdAt ? new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc)) : null,
            AuthorId,
            AuthorName,
            AuthorUsername,
            new PublicMetrics(RetweetCount, ReplyCount, LikeCount, QuoteCount, ImpressionCount, BookmarkCount));
    }
}

/// <summary>What <see cref="PostedStore.ReserveAsync"/> found.</summary>
internal enum Reservation
{
    /// <summary>This call reserved the tweet; the caller posts it.</summary>
    Reserved = 0,

    /// <summary>Slack confirmed an earlier post of the tweet.</summary>
    AlreadyPosted = 1,

    /// <summary>An earlier post is in flight or its outcome stayed unknown (the bot stopped or timed out while it was sent).</summary>
    OutcomeUnknown = 2,
}
