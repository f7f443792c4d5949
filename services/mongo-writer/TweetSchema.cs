using MongoDB.Bson;

namespace Pipeline.MongoWriter;

/// <summary>
/// The JSON-schema validator of the <c>tweets</c> collection: every document has a string
/// <c>_id</c>, a string <c>text</c> and a date <c>created_at</c>. The writer checks each document
/// against the same rules before it writes (<see cref="FindViolation"/>), so that such a message
/// fails at once with a clear reason and becomes a dead letter after its retries. The server's
/// validator guards against every other writer.
/// </summary>
internal static class TweetSchema
{
    /// <summary>
    /// The validation level: <c>moderate</c> checks inserts and updates of documents that already
    /// pass, so that a document stored before the validator existed can still be flagged or replaced.
    /// </summary>
    public const string ValidationLevel = "moderate";

    /// <summary>The validation action: <c>error</c> rejects the write (code 121) rather than only logging it.</summary>
    public const string ValidationAction = "error";

    /// <summary>The error code of a write that the validator rejected (<c>DocumentValidationFailure</c>).</summary>
    public const int DocumentValidationFailureCode = 121;

    /// <summary>The required fields and their BSON type alias, in the order they are checked.</summary>
    public static IReadOnlyList<(string Field, string BsonType)> RequiredFields { get; } =
    [
        ("_id", "string"),
        ("text", "string"),
        ("created_at", "date"),
    ];

    /// <summary>
    /// The optional fields whose type is checked when present: the deletion mark may be absent, but
    /// when set it must be a date and a reason.
    /// </summary>
    public static IReadOnlyList<(string Field, string BsonType)> OptionalFields { get; } =
    [
        ("deleted_at", "date"),
        ("deletion_reason", "string"),
    ];

    /// <summary>Builds the validator document: <c>{ $jsonSchema: { bsonType: "object", required, properties } }</c>.</summary>
    public static BsonDocument Validator()
    {
        var properties = new BsonDocument();
        foreach (var (field, bsonType) in RequiredFields.Concat(OptionalFields))
        {
            properties.Add(field, new BsonDocument("bsonType", bsonType));
        }

        return new BsonDocument("$jsonSchema", new BsonDocument
        {
            { "bsonType", "object" },
            { "required", new BsonArray(RequiredFields.Select(f => f.Field)) },
            { "properties", properties },
        });
    }

    /// <summary>Returns why <paramref name="document"/> fails the validator, or null when it passes.</summary>
    public static string? FindViolation(BsonDocument document)
    {
        foreach (var (field, bsonType) in RequiredFields)
        {
            if (!document.TryGetValue(field, out var value) || value.IsBsonNull)
            {
                return $"has no {field}, which the tweets collection's validator requires as a BSON {bsonType}";
            }

            if (!HasType(value, bsonType))
            {
                return $"has {field} of BSON type {value.BsonType}, but the tweets collection's validator requires {bsonType}";
            }
        }

        foreach (var (field, bsonType) in OptionalFields)
        {
            if (document.TryGetValue(field, out var value) && !HasType(value, bsonType))
            {
                return $"has {field} of BSON type {value.BsonType}, but the tweets collection's validator requires {bsonType} when it is set";
            }
        }

        return null;
    }

    private static bool HasType(BsonValue value, string bsonType) => bsonType switch
    {
        "string" => value.IsString,
        "date" => value.BsonType == BsonType.DateTime,
        _ => throw new ArgumentOutOfRangeException(nameof(bsonType), bsonType, "No check is defined for this BSON type alias."),
    };
}
