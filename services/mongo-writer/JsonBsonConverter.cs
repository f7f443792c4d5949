using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MongoDB.Bson;

namespace Pipeline.MongoWriter;

/// <summary>
/// Converts API JSON to BSON without losing a value, and back. Object keys go through
/// <see cref="BsonKeyEscaping"/>. Strings, booleans and null map to their BSON types, and
/// U+0000 inside a string value is kept because BSON strings carry their length.
/// </summary>
/// <remarks>
/// Numbers never pass through a double, because tweet ids and other API integers exceed the
/// 53 bits that a double represents exactly. An integer becomes Int32 or Int64 when it fits. A larger
/// integer, and any number with a fraction or an exponent, becomes Decimal128, which keeps the
/// decimal digits and exponent as written (<c>1.50</c> stays <c>1.50</c>). A number that
/// Decimal128 cannot hold exactly (more than 34 significant digits, or a magnitude outside
/// about 1E-6176 to 1E+6144) is stored as its JSON text in a one-field document <c>{ "%number": "text" }</c>.
/// No escaped key can equal <c>%number</c>, because an escaped key has a <c>%</c> only before two
/// hexadecimal digits. The inverse writes each number back with the same value, though not
/// always the same spelling: <c>-0</c> as an integer comes back as <c>0</c>.
/// </remarks>
internal static class JsonBsonConverter
{
    /// <summary>The key of the document that stores a JSON number too large or too precise for Decimal128.</summary>
    public const string NumberTextKey = "%number";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The output is JSON data, never HTML, so emoji and other non-ASCII text stay readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Converts a JSON object to a BSON document. Throws <see cref="FormatException"/> when it is
    /// not an object or when an object repeats a key, and <see cref="InvalidOperationException"/>
    /// when a string contains a lone UTF-16 surrogate, which BSON's UTF-8 cannot encode.
    /// </summary>
    public static BsonDocument ToBsonDocument(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Expected a JSON object, not {json.ValueKind}.");
        }

        return (BsonDocument)ToBson(json);
    }

    /// <summary>Converts any JSON value to the BSON value described on <see cref="JsonBsonConverter"/>.</summary>
    public static BsonValue ToBson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => ConvertObject(json),
        JsonValueKind.Array => ConvertArray(json),
        JsonValueKind.String => new BsonString(json.GetString()),
        JsonValueKind.Number => ConvertNumber(json.GetRawText()),
        JsonValueKind.True => BsonBoolean.True,
        JsonValueKind.False => BsonBoolean.False,
        JsonValueKind.Null => BsonNull.Value,
        _ => throw new FormatException($"Unexpected JSON value kind {json.ValueKind}."),
    };

    /// <summary>
    /// Writes BSON produced by <see cref="ToBson"/> back as JSON text, with the keys unescaped.
    /// Throws <see cref="NotSupportedException"/> for BSON types that <see cref="ToBson"/> never
    /// writes (dates, object ids, binary data and the like).
    /// </summary>
    public static string ToJson(BsonValue value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static BsonDocument ConvertObject(JsonElement json)
    {
        var document = new BsonDocument();
        foreach (var property in json.EnumerateObject())
        {
            var key = BsonKeyEscaping.Escape(property.Name);
            if (document.Contains(key))
            {
                throw new FormatException($"The JSON object repeats the key '{property.Name}'; a BSON document cannot store both values.");
            }

            document.Add(key, ToBson(property.Value));
        }

        return document;
    }

    private static BsonArray ConvertArray(JsonElement json)
    {
        var array = new BsonArray(json.GetArrayLength());
        foreach (var item in json.EnumerateArray())
        {
            array.Add(ToBson(item));
        }

        return array;
    }

    private static BsonValue ConvertNumber(string text)
    {
        var isInteger = text.AsSpan().IndexOfAny(".eE") < 0;
        if (isInteger && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var int32))
        {
            return new BsonInt32(int32);
        }

        if (isInteger && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var int64))
        {
            return new BsonInt64(int64);
        }

        // Decimal128.TryParse fails rather than rounds when the value does not fit exactly.
        if (Decimal128.TryParse(text, out var decimal128))
        {
            return new BsonDecimal128(decimal128);
        }

        return new BsonDocument(NumberTextKey, text);
    }

    private static void Write(Utf8JsonWriter writer, BsonValue value)
    {
        switch (value)
        {
            case BsonDocument { ElementCount: 1 } number when number.GetElement(0) is { Name: NumberTextKey, Value: BsonString text }:
                writer.WriteRawValue(text.Value);
                break;
            case BsonDocument document:
                writer.WriteStartObject();
                foreach (var element in document)
                {
                    writer.WritePropertyName(BsonKeyEscaping.Unescape(element.Name));
                    Write(writer, element.Value);
                }

                writer.WriteEndObject();
                break;
            case BsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case BsonString text:
                writer.WriteStringValue(text.Value);
                break;
            case BsonInt32 int32:
                writer.WriteNumberValue(int32.Value);
                break;
            case BsonInt64 int64:
                writer.WriteNumberValue(int64.Value);
                break;
            case BsonDecimal128 decimal128:
                // Decimal128 prints plain or scientific notation, both valid JSON; WriteRawValue rejects NaN and Infinity.
                writer.WriteRawValue(decimal128.Value.ToString());
                break;
            case BsonDouble number when double.IsFinite(number.Value):
                writer.WriteNumberValue(number.Value);
                break;
            case BsonBoolean boolean:
                writer.WriteBooleanValue(boolean.Value);
                break;
            case BsonNull:
                writer.WriteNullValue();
                break;
            default:
                throw new NotSupportedException($"BSON {value.BsonType} value '{value}' has no JSON form in the raw tweet mapping.");
        }
    }
}
