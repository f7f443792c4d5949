using Pipeline.Testing;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>The tests that share one PostgreSQL container, each with a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class UsesPostgres : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Postgres";
}
