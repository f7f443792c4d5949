using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>
/// A database that a writer filled at migration 0003 upgrades to the current schema: its rows
/// stay, and the new columns and tables that tweets.raw and users.raw can fill hold what the
/// current writer stores for the same messages.
/// </summary>
[Collection(UsesPostgres.Name)]
public sealed class UpgradeTests(PostgresFixture fixture)
{
    private static readonly string[] Pages =
    [
        "docnow-twarc-csv/brexit.jsonl",
        "docnow-twarc-csv/geo_tweets.jsonl",
        "docnow-twarc-csv/media_tweet.jsonl",
        "docnow-twarc-csv/cashtags.jsonl",
        "docnow-twarc-csv/mentions_tweet.jsonl",
    ];

    // The new columns and tables whose values come from tweets.raw or users.raw alone.
    private static readonly string[] BackfilledQueries =
    [
        "select id, withheld_country_codes, withheld_copyright, place_id, longitude, latitude, poll_id from public.tweets order by id",
        "select id, community_id, is_edit_eligible, editable_until, edits_remaining from public.tweets where editable_until is not null order by id",
        "select id, url, expanded_url, pinned_tweet_id, most_recent_tweet_id, profile_banner_url, withheld_country_codes, like_count from public.users order by id",
        "select tweet_id, position, domain_id, domain_name, domain_description, entity_id, entity_name, entity_description from public.context_annotations order by 1, 2",
        "select tweet_id, position, type, normalized_text, probability, start, \"end\" from public.entity_annotations order by 1, 2",
        "select tweet_id, position, media_key from public.tweet_media order by 1, 2",
    ];

    [Fact]
    public async Task Upgrade_From0003_KeepsRowsAndBackfills()
    {
        var envelopes = Pages.SelectMany(p => Envelopes.FromRecordedPages(p)).ToList();
        await using var upgraded = await CreateAt0003Async(envelopes);
        var keptText = await upgraded.QueryAsync<(long Id, string Text)>("select id, text from public.tweets order by id");

        var applied = await upgraded.MigrateAsync();

        Assert.True(applied >= 3, $"Expected migrations 0004 onward to run, but {applied} ran.");
        Assert.Equal(keptText, await upgraded.QueryAsync<(long Id, string Text)>("select id, text from public.tweets order by id"));
        Assert.Equal(1, await upgraded.ScalarAsync<long>("select count(*) from public.hashtags where tag = 'kept'"));

        await using var fresh = await WriterDatabase.CreateAsync(fixture);
        await fresh.HandleAsync(envelopes.ToMessages());
        foreach (var query in BackfilledQueries)
        {
            var expected = await ReadRowsAsync(fresh, query);
            Assert.True(expected.Count > 0, $"The pages fill nothing for: {query}");
            Assert.Equal(expected, await ReadRowsAsync(upgraded, query));
        }
    }

    [Fact]
    public async Task Upgrade_From0003_ThenWriterStoresMessages()
    {
        var envelopes = Envelopes.FromRecordedPages("docnow-twarc-csv/brexit.jsonl");
        await using var database = await CreateAt0003Async(envelopes);
        await database.MigrateAsync();

        var failures = await database.HandleAsync(envelopes.ToMessages());

        Assert.Empty(failures);
        Assert.Equal(1, await database.ScalarAsync<long>("select count(*) from public.polls"));
        Assert.True(await database.ScalarAsync<long>("select count(*) from public.media") > 0);
    }

    // A database at migration 0003 with the tweets and authors of the envelopes in the columns
    // that 0001 to 0003 have, as the writer of that version stored them, and one hashtag row.
    private async Task<WriterDatabase> CreateAt0003Async(IReadOnlyList<TweetEnvelope> envelopes)
    {
        var database = await WriterDatabase.CreateEmptyAsync(fixture);
        var cancellationToken = TestContext.Current.CancellationToken;

        // This test assembly embeds only 0001 to 0003 under the writer's component name.
        await Migrations.ApplyAsync(database.DataSource, typeof(UpgradeTests).Assembly, "tweets", NullLogger.Instance, cancellationToken);
        Assert.Equal(3, await database.ScalarAsync<int>("select max(version) from public.schema_migrations where component = 'tweets'"));

        var tweets = envelopes
            .SelectMany(e => e.ReferencedTweets.Where(r => r.Tweet is not null).Select(r => r.Tweet!.Value).Prepend(e.Tweet))
            .DistinctBy(t => t.GetProperty("id").GetString())
            .ToList();
        var users = envelopes
            .SelectMany(e => e.ReferencedTweets.Select(r => r.Author).Prepend(e.Author))
            .OfType<System.Text.Json.JsonElement>()
            .DistinctBy(u => u.GetProperty("id").GetString())
            .ToList();

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into public.tweets (id, text, full_text, metrics_observed_at, raw, referenced_only, collected_at, first_stored_at, updated_at)
            select (r.raw ->> 'id')::bigint, r.raw ->> 'text', r.raw ->> 'text', now(), r.raw, false, now(), now(), now()
              from unnest(@Raws::jsonb[]) as r (raw);

            insert into public.users (id, username, observed_at, raw, first_stored_at, updated_at)
            select (r.raw ->> 'id')::bigint, r.raw ->> 'username', now(), r.raw, now(), now()
              from unnest(@UserRaws::jsonb[]) as r (raw);

            insert into public.hashtags (tweet_id, position, tag) values (@FirstId, 0, 'kept');
            """,
            new
            {
                Raws = tweets.Select(t => t.GetRawText()).ToArray(),
                UserRaws = users.Select(u => u.GetRawText()).ToArray(),
                FirstId = long.Parse(tweets[0].GetProperty("id").GetString()!),
            },
            cancellationToken: cancellationToken));
        return database;
    }

    // Rows as text, so that two databases compare value by value whatever the column types.
    private static async Task<List<string>> ReadRowsAsync(WriterDatabase database, string query) =>
        await database.QueryAsync<string>($"select row(q.*)::text from ({query}) q");
}
