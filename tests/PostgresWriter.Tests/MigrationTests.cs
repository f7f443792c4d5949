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
    [InlineData("tweets_with_authors")]
    public async Task Migrations_FreshDatabase_CreatesRelation(string relation)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        var found = await database.ScalarAsync<string?>("select to_regclass('public.' || @Relation)::text", new { Relation = relation });

        Assert.Equal(relation, found);
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
