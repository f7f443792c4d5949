using MongoDB.Bson;
using MongoDB.Driver;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The shape of the store's write operations, checked without a server.</summary>
public sealed class MongoTweetStoreUpsertTests
{
    [Fact]
    public void CreateUpsert_Tweet_FiltersOnIdAndObservation()
    {
        var document = TweetDocumentMapper.MapTweet(RecordedPages.Find("docnow-twarc-csv/two_tweets.jsonl", "1394735776701816833"));

        var model = MongoTweetStore.CreateUpsert(document, TweetDocumentMapper.TweetObservedAtField);

        var expected = new BsonDocument
        {
            { "_id", "1394735776701816833" },
            { "metrics.observed_at", new BsonDocument("$not", new BsonDocument("$gt", new BsonDateTime(RecordedPages.CollectedAt.ToUnixTimeMilliseconds()))) },
        };
        Assert.Equal(expected, ((BsonDocumentFilterDefinition<BsonDocument>)model.Filter).Document);
        Assert.True(model.IsUpsert);
        Assert.Same(document, model.Replacement);
    }

    [Fact]
    public void CreateUpsert_User_FiltersOnTopLevelObservation()
    {
        var user = TweetDocumentMapper.MapUsers(RecordedPages.Find("docnow-twarc-csv/two_tweets.jsonl", "1394735776701816833"))[0];

        var model = MongoTweetStore.CreateUpsert(user, TweetDocumentMapper.UserObservedAtField);

        var filter = ((BsonDocumentFilterDefinition<BsonDocument>)model.Filter).Document;
        Assert.Equal("1379899464345923590", filter["_id"].AsString);
        Assert.Equal(new BsonDateTime(RecordedPages.CollectedAt.ToUnixTimeMilliseconds()), filter["observed_at"]["$not"]["$gt"]);
    }
}
