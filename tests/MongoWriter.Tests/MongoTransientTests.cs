using System.Net;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

public sealed class MongoTransientTests
{
    private static readonly ConnectionId Connection = new(new ServerId(new ClusterId(), new DnsEndPoint("localhost", 27017)));

    public static TheoryData<Exception> TransientErrors =>
    [
        MongoWriterHandlerTests.ConnectionFailure(),
        new MongoAuthenticationException(Connection, "authentication failed"),
        new TimeoutException("A timeout occurred after 30000ms selecting a server."),
        new MongoNotPrimaryException(Connection, new BsonDocument(), new BsonDocument("code", 10107)),
        new MongoNodeIsRecoveringException(Connection, new BsonDocument(), new BsonDocument("code", 11600)),
        CommandError(new BsonDocument { { "ok", 0 }, { "code", 91 } }),
        CommandError(new BsonDocument { { "ok", 0 }, { "code", 1 }, { "errorLabels", new BsonArray { "RetryableWriteError" } } }),
        new InvalidOperationException("wrapped", MongoWriterHandlerTests.ConnectionFailure()),
    ];

    public static TheoryData<Exception> ContentErrors =>
    [
        new FormatException("invalid tweet"),
        CommandError(new BsonDocument { { "ok", 0 }, { "code", 2 } }),
        new BsonSerializationException("too deep"),
        new InvalidOperationException("not transient"),
    ];

    [Theory]
    [MemberData(nameof(TransientErrors))]
    public void IsTransient_OutageError_ReturnsTrue(Exception exception)
    {
        Assert.True(MongoTransient.IsTransient(exception), exception.ToString());
    }

    [Theory]
    [MemberData(nameof(ContentErrors))]
    public void IsTransient_ContentError_ReturnsFalse(Exception exception)
    {
        Assert.False(MongoTransient.IsTransient(exception), exception.ToString());
    }

    private static MongoCommandException CommandError(BsonDocument result) =>
        new(Connection, $"Command failed with code {result["code"]}.", new BsonDocument("insert", "tweets"), result);
}
