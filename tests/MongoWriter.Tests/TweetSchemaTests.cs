using MongoDB.Bson;
using MongoDB.Driver;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The validator and index definitions of the tweets collection, without a server.</summary>
public sealed class TweetSchemaTests
{
    [Fact]
    public void Validator_RequiresIdTextCreatedAt()
    {
        var schema = TweetSchema.Validator()["$jsonSchema"].AsBsonDocument;

        Assert.Equal("object", schema["bsonType"].AsString);
        Assert.Equal(["_id", "text", "created_at"], schema["required"].AsBsonArray.Select(v => v.AsString));
        Assert.Equal("string", schema["properties"]["_id"]["bsonType"].AsString);
        Assert.Equal("string", schema["properties"]["text"]["bsonType"].AsString);
        Assert.Equal("date", schema["properties"]["created_at"]["bsonType"].AsString);
        Assert.Equal("date", schema["properties"]["deleted_at"]["bsonType"].AsString);
        Assert.Equal("string", schema["properties"]["deletion_reason"]["bsonType"].AsString);
    }

    [Fact]
    public void CollMod_SetsErrorActionModerateLevel()
    {
        var command = MongoIndexes.CollModCommand();

        Assert.Equal("tweets", command["collMod"].AsString);
        Assert.Equal(TweetSchema.Validator(), command["validator"].AsBsonDocument);
        Assert.Equal("moderate", command["validationLevel"].AsString);
        Assert.Equal("error", command["validationAction"].AsString);
    }

    [Fact]
    public void CreateOptions_CarryValidator()
    {
        var options = MongoIndexes.CreateOptions();

        Assert.Equal(DocumentValidationLevel.Moderate, options.ValidationLevel);
        Assert.Equal(DocumentValidationAction.Error, options.ValidationAction);
        Assert.Equal(TweetSchema.Validator(), ((BsonDocumentFilterDefinition<BsonDocument>)options.Validator).Document);
    }

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void FindViolation_RecordedTweets_Pass(string file)
    {
        foreach (var envelope in RecordedPages.Read(file))
        {
            Assert.Null(TweetSchema.FindViolation(TweetDocumentMapper.MapTweet(envelope)));
        }
    }

    [Theory]
    [InlineData("_id", "has no _id")]
    [InlineData("text", "has no text")]
    [InlineData("created_at", "has no created_at")]
    public void FindViolation_MissingField_NamesIt(string field, string expected)
    {
        var document = ValidDocument();
        document.Remove(field);

        Assert.StartsWith(expected, TweetSchema.FindViolation(document), StringComparison.Ordinal);
    }

    [Fact]
    public void FindViolation_NullCreatedAt_Fails()
    {
        var document = ValidDocument();
        document["created_at"] = BsonNull.Value;

        Assert.StartsWith("has no created_at", TweetSchema.FindViolation(document), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_id")]
    [InlineData("text")]
    [InlineData("created_at")]
    [InlineData("deleted_at")]
    [InlineData("deletion_reason")]
    public void FindViolation_WrongType_NamesField(string field)
    {
        var document = ValidDocument();
        document[field] = new BsonInt64(1);

        Assert.StartsWith($"has {field} of BSON type Int64", TweetSchema.FindViolation(document), StringComparison.Ordinal);
    }

    [Fact]
    public void FindViolation_FlaggedTweet_Passes()
    {
        var document = ValidDocument();
        document["deleted_at"] = new BsonDateTime(0);
        document["deletion_reason"] = "deleted";

        Assert.Null(TweetSchema.FindViolation(document));
    }

    [Fact]
    public void IndexModels_CoverCommonQueries()
    {
        var names = MongoIndexes.TweetIndexModels().Select(m => m.Options.Name).ToList();

        string[] expected =
        [
            "author_id", "created_at", "hashtags", "hashtags_lower", "lang", "conversation_id",
            "metrics.retweet_count", "metrics.like_count", "referenced_tweets.id", "deleted_at", "full_text_text",
        ];
        Assert.Equal(expected, names);
    }

    [Fact]
    public void IndexModels_FieldIndexesAscending()
    {
        foreach (var model in MongoIndexes.TweetIndexModels().Where(m => m.Options.Name != MongoIndexes.FullTextIndexName))
        {
            var keys = Render(model.Keys);
            Assert.Equal(new BsonDocument(model.Options.Name, 1), keys);
        }
    }

    [Fact]
    public void TextIndex_FullTextWithoutLanguage()
    {
        var model = MongoIndexes.TweetIndexModels().Single(m => m.Options.Name == MongoIndexes.FullTextIndexName);

        Assert.Equal(new BsonDocument("full_text", "text"), Render(model.Keys));
        Assert.Equal("none", model.Options.DefaultLanguage);
        Assert.Equal("text_search_language", model.Options.LanguageOverride);
    }

    private static BsonDocument ValidDocument() => new()
    {
        { "_id", "1" },
        { "text", "t" },
        { "created_at", new BsonDateTime(0) },
    };

    private static BsonDocument Render(IndexKeysDefinition<BsonDocument> keys) =>
        keys.Render(new RenderArgs<BsonDocument>(MongoDB.Bson.Serialization.BsonSerializer.SerializerRegistry.GetSerializer<BsonDocument>(), MongoDB.Bson.Serialization.BsonSerializer.SerializerRegistry));
}
