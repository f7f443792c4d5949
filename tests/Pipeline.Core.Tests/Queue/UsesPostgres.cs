using Pipeline.Testing;

namespace Pipeline.Core.Tests.Queue;

[CollectionDefinition(Name)]
public sealed class UsesPostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
