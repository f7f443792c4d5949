using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

[Collection(UsesPostgres.Name)]
public sealed class MigrationTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData("tweets")]
    [InlineData("users")]
    [InlineData("hashtags")]
    [InlineData("cashtags")]
    [InlineData("mentions")]
    [InlineData("urls")]
    [InlineData("referenced_tweets")]
    [InlineData("tweet_sentiment")]
    [InlineData("tweets_with_authors")]
    [InlineData("context_annotations")]
    [InlineData("entity_annotations")]
    [InlineData("media")]
    [InlineData("tweet_media")]
    [InlineData("places")]
    [InlineData("polls")]
    [InlineData("poll_options")]
    [InlineData("deleted_tweets")]
    [InlineData("hashtag_counts_hourly")]
    [InlineData("reply_threads")]
    public async Task Migrations_FreshDatabase_CreatesRelation(string relation)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        var found = await database.ScalarAsync<string?>("select to_regclass('public.' || @Relation)::text", new { Relation = relation });

        Assert.Equal(relation, found);
    }

    [Fact]
    public async Task Migrations_View_AppendsColumnsAtEnd()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        var columns = await database.QueryAsync<string>(
            "select column_name from information_schema.columns where table_schema = 'public' and table_name = 'tweets_with_authors' order by ordinal_position");

        string[] expected =
        [
            "id", "created_at", "author_id", "author_username", "author_name", "full_text", "lang",
            "retweet_count", "reply_count", "like_count", "quote_count", "referenced_only",
            "sentiment_negative", "sentiment_neutral", "sentiment_positive", "sentiment_compound", "sentiment_label",
            "engagement", "impression_count", "conversation_id", "place_id", "poll_id",
        ];
        Assert.Equal(expected, columns);
    }

    [Fact]
    public async Task Migrations_SecondStart_AppliesNothing()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var recorded = await database.ScalarAsync<long>("select count(*) from public.schema_migrations where component = 'tweets'");

        var applied = await database.MigrateAsync();

        Assert.Equal(0, applied);
        Assert.Equal(recorded, await database.ScalarAsync<long>("select count(*) from public.schema_migrations where component = 'tweets'"));
    }

    [Fact]
    public async Task Migrations_SecondStart_KeepsStoredTweets()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet("""{"id": "1", "text": "kept"}""")));

        await database.MigrateAsync();

        Assert.Equal("kept", await database.ScalarAsync<string>("select text from public.tweets where id = 1"));
    }
}
