using Pipeline.Testing;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The tests that share one PostgreSQL container for the queue; each takes a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Postgres";
}

/// <summary>The tests that share one MongoDB container, and one PostgreSQL container for those that also need the queue.</summary>
[CollectionDefinition(Name)]
public sealed class MongoCollectionDefinition : ICollectionFixture<MongoFixture>, ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Mongo";
}
