using Dapper;
using Npgsql;

namespace Pipeline.PostgresWriter;

/// <summary>
/// The statements for deleted tweets. Every deletion leaves a tombstone in <c>deleted_tweets</c>;
/// in flag mode the tweet row stays and is marked, in remove mode the row and everything derived
/// from it is deleted. A tweet that arrives after its tombstone is flagged, or not stored.
/// </summary>
internal sealed partial class TweetStore
{
    // The first report of an id is kept, so the same deletion delivered again changes nothing.
    private const string InsertTombstones = """
        insert into public.deleted_tweets (id, reason, observed_at, source_kind, source_name)
        select r.id, r.reason, r.observed_at, r.source_kind, r.source_name
          from unnest(@Ids, @Reasons, @ObservedAts, @SourceKinds, @SourceNames)
               as r (id, reason, observed_at, source_kind, source_name)
        on conflict (id) do nothing
        """;

    // Marks the tweets of the batch, written or deleted, that have a tombstone and no mark yet.
    // Returns the ids marked.
    private const string FlagDeleted = """
        update public.tweets t
           set deleted_at = d.observed_at,
               deletion_reason = d.reason
          from public.deleted_tweets d
         where d.id = t.id
           and t.id = any (@Ids)
           and t.deleted_at is null
        returning t.id
        """;

    // Deletes the tweets and what belongs only to them. Media objects and polls go too when no
    // other stored tweet links to them; places are shared by many tweets and stay. Media and polls
    // of the batch are checked as well, because in remove mode the tweet that delivered them may
    // not have been stored. RemoveDeletedTweets then deletes the rows of the tweets themselves.
    private const string RemoveDeletedDerived = """
        delete from public.media m
         where m.media_key in (select tm.media_key from public.tweet_media tm where tm.tweet_id = any (@Ids)
                               union all
                               select unnest(@BatchMediaKeys::text[]))
           and not exists (select 1 from public.tweet_media other
                            where other.media_key = m.media_key and other.tweet_id <> all (@Ids));

        with removed_polls as (
            delete from public.polls p
             where p.id in (select t.poll_id from public.tweets t where t.id = any (@Ids)
                            union all
                            select unnest(@BatchPollIds::bigint[]))
               and not exists (select 1 from public.tweets other
                                where other.poll_id = p.id and other.id <> all (@Ids))
            returning p.id)
        delete from public.poll_options o
         where o.poll_id in (select id from removed_polls);

        delete from public.hashtags where tweet_id = any (@Ids);
        delete from public.cashtags where tweet_id = any (@Ids);
        delete from public.mentions where tweet_id = any (@Ids);
        delete from public.urls where tweet_id = any (@Ids);
        delete from public.referenced_tweets where tweet_id = any (@Ids);
        delete from public.context_annotations where tweet_id = any (@Ids);
        delete from public.entity_annotations where tweet_id = any (@Ids);
        delete from public.tweet_media where tweet_id = any (@Ids);
        delete from public.tweet_sentiment where tweet_id = any (@Ids);
        """;

    private const string RemoveDeletedTweets = "delete from public.tweets where id = any (@Ids)";

    private static async Task<int> ApplyDeletionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, TweetBatch batch, HashSet<long> writtenIds, bool removeDeleted, CancellationToken cancellationToken)
    {
        var deletedIds = batch.Deletions.Select(d => d.TweetId).ToArray();
        if (removeDeleted)
        {
            if (deletedIds.Length == 0 && batch.Media.Count == 0 && batch.Polls.Count == 0)
            {
                return 0;
            }

            // Tweets with a tombstone were not written, so only the deletions' own ids can still
            // have rows. The batch's media and polls are checked for ones that no stored tweet links to.
            var parameters = new
            {
                Ids = deletedIds,
                BatchMediaKeys = batch.Media.Select(m => m.MediaKey).ToArray(),
                BatchPollIds = batch.Polls.Select(p => p.Id).ToArray(),
            };
            await connection.ExecuteAsync(new CommandDefinition(RemoveDeletedDerived, parameters, transaction, cancellationToken: cancellationToken));
            return deletedIds.Length == 0
                ? 0
                : await connection.ExecuteAsync(new CommandDefinition(RemoveDeletedTweets, new { Ids = deletedIds }, transaction, cancellationToken: cancellationToken));
        }

        // Any written tweet may have a tombstone from an earlier batch: a redelivery or a replay.
        var candidates = deletedIds.Concat(writtenIds).Distinct().ToArray();
        if (candidates.Length == 0)
        {
            return 0;
        }

        var flagged = await connection.QueryAsync<long>(new CommandDefinition(FlagDeleted, new { Ids = candidates }, transaction, cancellationToken: cancellationToken));
        return flagged.Count();
    }

    private static object TombstoneParameters(IReadOnlyList<DeletionObservation> deletions) => new
    {
        Ids = deletions.Select(d => d.TweetId).ToArray(),
        Reasons = deletions.Select(d => d.Reason).ToArray(),
        ObservedAts = deletions.Select(d => d.ObservedAt).ToArray(),
        SourceKinds = deletions.Select(d => d.SourceKind).ToArray(),
        SourceNames = deletions.Select(d => d.SourceName).ToArray(),
    };
}
