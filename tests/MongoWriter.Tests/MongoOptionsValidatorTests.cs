using Xunit;

namespace Pipeline.MongoWriter.Tests;

public sealed class MongoOptionsValidatorTests
{
    private readonly MongoOptionsValidator validator = new();

    [Fact]
    public void Validate_Defaults_RequireConnectionString()
    {
        var result = validator.Validate(null, new MongoOptions());

        Assert.True(result.Failed);
        Assert.Contains("ConnectionStrings:Mongo is missing: set the environment variable ConnectionStrings__Mongo", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mongodb://localhost:27017")]
    [InlineData("mongodb://user:secret@mongo:27017/?authSource=admin")]
    [InlineData("mongodb://a:27017,b:27017/?replicaSet=rs0")]
    public void Validate_ValidSettings_Succeeds(string connectionString)
    {
        var result = validator.Validate(null, new MongoOptions { ConnectionString = connectionString });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_InvalidConnectionString_HidesPassword()
    {
        var result = validator.Validate(null, new MongoOptions { ConnectionString = "http://user:secret@mongo:27017" });

        Assert.True(result.Failed);
        Assert.Contains("'http://***@mongo:27017') is not a valid MongoDB connection string", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my.db")]
    [InlineData("a b")]
    [InlineData("$db")]
    [InlineData("a/b")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public void Validate_InvalidDatabase_NamesValue(string database)
    {
        var result = validator.Validate(null, new MongoOptions { ConnectionString = "mongodb://localhost", Database = database });

        Assert.True(result.Failed);
        Assert.Contains($"Mongo:Database is '{database}'", result.FailureMessage, StringComparison.Ordinal);
    }
}
