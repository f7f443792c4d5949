using Xunit;

namespace Pipeline.Querying.Tests;

/// <summary>The document's questions and the checks that prove them correspond one to one.</summary>
public sealed class QueryingDocumentTests
{
    [Fact]
    public void Document_EveryQuestion_HasSqlMongoshAndCheck()
    {
        var queries = QueryDocument.Read();

        Assert.True(queries.Count >= 10, $"docs/querying.md has {queries.Count} checked questions; it should answer at least 10.");
        Assert.All(queries, q =>
        {
            Assert.False(q.Sql is null, $"The question '{q.Key}' has no sql block.");
            Assert.False(q.Mongo is null, $"The question '{q.Key}' has no js block for mongosh.");
            Assert.True(QueryChecks.Expected.ContainsKey(q.Key), $"The question '{q.Key}' has no expected answer in QueryChecks.");
        });
        Assert.Equal(queries.Count, queries.Select(q => q.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(QueryChecks.Expected.Keys.Except(queries.Select(q => q.Key), StringComparer.Ordinal));
    }
}

/// <summary>Every documented answer, run against the stores loaded from the source pages.</summary>
public sealed class DocumentedAnswerTests(QueryStores stores) : IClassFixture<QueryStores>
{
    /// <summary>The check keys of the document's questions.</summary>
    public static TheoryData<string> Questions => [.. QueryDocument.Read().Select(q => q.Key)];

    // As the analyst role, so every documented query is proven to work with the access it documents.
    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Sql_Answer_MatchesSourcePages(string key)
    {
        stores.RequirePostgres();
        var query = QueryDocument.Read().Single(q => q.Key == key);
        var expected = QueryChecks.Expected[key](stores.Corpus);
        Assert.NotEmpty(expected.Rows);

        var rows = await QueryStores.QueryPostgresAsync(stores.AnalystConnectionString, query.Sql!, TestContext.Current.CancellationToken);

        expected.AssertMatches(rows, "PostgreSQL", query.Sql!);
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Mongosh_Answer_MatchesSourcePages(string key)
    {
        var query = QueryDocument.Read().Single(q => q.Key == key);
        var expected = QueryChecks.Expected[key](stores.Corpus);
        Assert.NotEmpty(expected.Rows);

        var rows = await stores.QueryMongoAsync(query.Mongo!, TestContext.Current.CancellationToken);

        expected.AssertMatches(rows, "MongoDB", query.Mongo!, mongo: true);
    }
}
