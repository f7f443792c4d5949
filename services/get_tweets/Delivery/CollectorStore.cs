using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Polly;
using Polly.Registry;

namespace Pipeline.GetTweets.Delivery;

/// <summary>
/// The collector's writes to PostgreSQL (schema <c>collector</c>, plus the queue). Each page
/// commits in one transaction: the seen-tweets check, the queue messages, a rejected line if any,
/// and the checkpoint. A crash at any point therefore leaves either the whole page or none of it,
/// and a restart neither loses a tweet nor enqueues one twice.
/// </summary>
internal sealed class CollectorStore(
    NpgsqlDataSource dataSource,
    QueueClient queue,
    ResiliencePipelineProvider<string> pipelines,
    CollectorMetrics metrics,
    TimeProvider timeProvider)
{
    // Inserts unseen ids, updates those whose JSON changed and returns exactly those ids. Rows
    // whose hash is unchanged fail the where clause, so they are neither updated nor returned.
    private const string MarkSeenSql = """
        insert into collector.seen_tweets as s (tweet_id, payload_hash, first_seen_at, last_seen_at, observations)
        select i.tweet_id, i.payload_hash, $3, $3, 1
          from unnest($1::bigint[], $2::bytea[]) as i (tweet_id, payload_hash)
        on conflict (tweet_id) do update
           set payload_hash = excluded.payload_hash,
               last_seen_at = excluded.last_seen_at,
               observations = s.observations + 1
         where s.payload_hash <> excluded.payload_hash
        returning s.tweet_id
        """;

    private const string SaveCheckpointSql = """
        insert into collector.checkpoints (source_key, newest_id, poll_newest_id, next_token, file_path, file_fingerprint, line_number, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        on conflict (source_key) do update
           set newest_id = excluded.newest_id,
               poll_newest_id = excluded.poll_newest_id,
               next_token = excluded.next_token,
               file_path = excluded.file_path,
               file_fingerprint = excluded.file_fingerprint,
               line_number = excluded.line_number,
               updated_at = excluded.updated_at
        """;

    private const string LoadCheckpointSql = """
        select newest_id, poll_newest_id, next_token, file_path, file_fingerprint, line_number
          from collector.checkpoints
         where source_key = $1
        """;

    private const string RejectLineSql = """
        insert into collector.rejected_lines (file_path, line_number, error, raw_text, rejected_at)
        values ($1, $2, $3, $4, $5)
        on conflict (file_path, line_number) do update
           set error = excluded.error, raw_text = excluded.raw_text, rejected_at = excluded.rejected_at
        """;

    // A rejected last line may be a page that was still being written, so it is read again later.
    // Once it parses, its rejection is deleted.
    private const string ClearRejectionSql = "delete from collector.rejected_lines where file_path = $1 and line_number = $2";

    private readonly ResiliencePipeline database = pipelines.GetPipeline(ResiliencePipelines.Postgres);

    /// <summary>Returns the checkpoint of <paramref name="sourceKey"/>, or null when the source has none yet.</summary>
    public async Task<Checkpoint?> LoadCheckpointAsync(string sourceKey, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            async token =>
            {
                await using var command = dataSource.CreateCommand(LoadCheckpointSql);
                command.Parameters.Add(new NpgsqlParameter { Value = sourceKey });
                await using var reader = await command.ExecuteReaderAsync(token);
                if (!await reader.ReadAsync(token))
                {
                    return null;
                }

                return new Checkpoint(
                    reader.IsDBNull(0) ? null : reader.GetInt64(0),
                    reader.IsDBNull(1) ? null : reader.GetInt64(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4),
                    reader.IsDBNull(5) ? null : reader.GetInt64(5));
            },
            cancellationToken);

    /// <summary>Commits one page of tweets without deletions, as <see cref="CommitPageAsync(string, Checkpoint, IReadOnlyList{TweetEnvelope}, IReadOnlyList{TweetDeletion}, RejectedLine?, CancellationToken)"/> does.</summary>
    public Task<PageCommit> CommitPageAsync(
        string sourceKey,
        Checkpoint checkpoint,
        IReadOnlyList<TweetEnvelope> tweets,
        RejectedLine? rejected,
        CancellationToken cancellationToken) =>
        CommitPageAsync(sourceKey, checkpoint, tweets, [], rejected, cancellationToken);

    /// <summary>
    /// Commits one page: enqueues the tweets and deletions not enqueued before with the same content,
    /// records them as seen, stores <paramref name="rejected"/> when the line was set aside, and saves
    /// the checkpoint, all in one transaction. Transient database errors retry the whole transaction.
    /// </summary>
    public async Task<PageCommit> CommitPageAsync(
        string sourceKey,
        Checkpoint checkpoint,
        IReadOnlyList<TweetEnvelope> tweets,
        IReadOnlyList<TweetDeletion> deletions,
        RejectedLine? rejected,
        CancellationToken cancellationToken)
    {
        // Tweets and deletions share the seen-tweets row of their id, so the last message enqueued
        // for an id decides what counts as unchanged. A deletion seen again is skipped. A tweet seen
        // after its deletion is enqueued again, and the writers keep it deleted.
        deletions = WithoutRepeatedIds(tweets, deletions);
        var messages = new List<OutgoingMessage>(tweets.Count + deletions.Count);
        var ids = new long[tweets.Count + deletions.Count];
        var hashes = new byte[ids.Length][];
        for (var i = 0; i < tweets.Count; i++)
        {
            ids[i] = long.Parse(tweets[i].Id, CultureInfo.InvariantCulture);
            hashes[i] = ContentHash(tweets[i].Tweet);
            messages.Add(new OutgoingMessage(tweets[i].Id, tweets[i].ToJson()));
        }

        for (var i = 0; i < deletions.Count; i++)
        {
            ids[tweets.Count + i] = long.Parse(deletions[i].Id, CultureInfo.InvariantCulture);
            hashes[tweets.Count + i] = DeletionHash(deletions[i]);
            messages.Add(new OutgoingMessage(deletions[i].Id, deletions[i].ToJson()));
        }

        var commit = await database.ExecuteAsync(
            async token =>
            {
                var now = timeProvider.GetUtcNow();
                await using var connection = await dataSource.OpenConnectionAsync(token);
                await using var transaction = await connection.BeginTransactionAsync(token);

                var enqueuedTweets = 0;
                var enqueuedDeletions = 0;
                if (ids.Length > 0)
                {
                    var fresh = await MarkSeenAsync(connection, transaction, ids, hashes, now, token);
                    var freshMessages = messages.Where((_, i) => fresh.Contains(ids[i])).ToList();
                    await queue.EnqueueAsync(connection, transaction, freshMessages, token);
                    enqueuedTweets = ids.Take(tweets.Count).Count(fresh.Contains);
                    enqueuedDeletions = freshMessages.Count - enqueuedTweets;
                }

                if (rejected is not null)
                {
                    await RejectLineAsync(connection, transaction, rejected, now, token);
                }
                else if (checkpoint.FilePath is { } filePath && checkpoint.LineNumber is { } lineNumber)
                {
                    await ClearRejectionAsync(connection, transaction, filePath, lineNumber, token);
                }

                await SaveCheckpointAsync(connection, transaction, sourceKey, checkpoint, now, token);
                await transaction.CommitAsync(token);
                return new PageCommit(tweets.Count, enqueuedTweets, deletions.Count, enqueuedDeletions);
            },
            cancellationToken);

        // Every source commits its pages here, so this counts them all and marks the collector's progress.
        metrics.PageCommitted(sourceKey, commit.Tweets, commit.Enqueued);
        return commit;
    }

    private static async Task<HashSet<long>> MarkSeenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] ids, byte[][] hashes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(MarkSeenSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        command.Parameters.Add(new NpgsqlParameter { Value = hashes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = now });

        var fresh = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            fresh.Add(reader.GetInt64(0));
        }

        return fresh;
    }

    private static async Task RejectLineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RejectedLine rejected, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(RejectLineSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = rejected.FilePath });
        command.Parameters.Add(new NpgsqlParameter { Value = rejected.LineNumber });
        command.Parameters.Add(new NpgsqlParameter { Value = WithoutNul(rejected.Error) });
        command.Parameters.Add(new NpgsqlParameter { Value = WithoutNul(rejected.RawText) });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ClearRejectionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string filePath, long lineNumber, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ClearRejectionSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = filePath });
        command.Parameters.Add(new NpgsqlParameter { Value = lineNumber });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task SaveCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sourceKey, Checkpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SaveCheckpointSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceKey });
        command.Parameters.Add(Nullable(checkpoint.NewestId, NpgsqlDbType.Bigint));
        command.Parameters.Add(Nullable(checkpoint.PollNewestId, NpgsqlDbType.Bigint));
        command.Parameters.Add(Nullable(checkpoint.NextToken, NpgsqlDbType.Text));
        command.Parameters.Add(Nullable(checkpoint.FilePath, NpgsqlDbType.Text));
        command.Parameters.Add(Nullable(checkpoint.FileFingerprint, NpgsqlDbType.Bytea));
        command.Parameters.Add(Nullable(checkpoint.LineNumber, NpgsqlDbType.Bigint));
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Returns the SHA-256 of the tweet object rewritten as compact JSON, so that two copies that
    /// differ only in whitespace or in how strings are escaped (twarc writes <c>\uXXXX</c>, the API
    /// UTF-8) hash alike. Property order still counts, so a source that reorders properties makes
    /// every tweet look changed and enqueues it again.
    /// </summary>
    private static byte[] ContentHash(JsonElement tweet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            tweet.WriteTo(writer);
        }

        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>
    /// Returns the deletions whose id is neither among <paramref name="tweets"/> nor repeated, the first of
    /// each id, because one statement of <see cref="MarkSeenSql"/> may update a seen-tweets row only once.
    /// A tweet that the same commit delivers exists, so its deletion is dropped.
    /// </summary>
    private static List<TweetDeletion> WithoutRepeatedIds(IReadOnlyList<TweetEnvelope> tweets, IReadOnlyList<TweetDeletion> deletions)
    {
        var ids = tweets.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        return [.. deletions.Where(d => ids.Add(d.Id))];
    }

    /// <summary>
    /// Returns the SHA-256 of the deletion's type and reason, which no tweet object's hash matches. The
    /// time is left out, so the same compliance result read again is skipped as unchanged.
    /// </summary>
    private static byte[] DeletionHash(TweetDeletion deletion) =>
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TweetDeletion.MessageType + ":" + deletion.Reason));

    private static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) =>
        new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    // PostgreSQL text cannot store U+0000, and a file cut off by a crash can end in NUL bytes.
    private static string WithoutNul(string text) => text.Replace('\0', '\uFFFD');
}
