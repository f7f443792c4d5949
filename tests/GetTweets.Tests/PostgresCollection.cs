using Pipeline.Testing;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>The tests that share one PostgreSQL container; each test creates its own database.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
