using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

public sealed class JsonBsonConverterTests
{
    [Fact]
    public void ToBson_NestedSpecialKeys_AreEscaped()
    {
        var json = RecordedPages.Parse("""{"a.b": {"$type": "x", "c": [{"d.e": 1, "$f": {"%": true}}]}}""");

        var document = JsonBsonConverter.ToBsonDocument(json);

        var nested = document["a%2Eb"].AsBsonDocument;
        Assert.Equal("x", nested["%24type"].AsString);
        var item = nested["c"].AsBsonArray[0].AsBsonDocument;
        Assert.Equal(1, item["d%2Ee"].AsInt32);
        Assert.True(item["%24f"].AsBsonDocument["%25"].AsBoolean);
    }

    [Fact]
    public void ToJson_NestedSpecialKeys_RestoresExactly()
    {
        var json = RecordedPages.Parse("""{"a.b": {"$type": "x", "c": [{"d.e": 1, "$f": {"%": true, "n\u0000k": null}}]}, "$": []}""");

        var restored = RecordedPages.Parse(JsonBsonConverter.ToJson(JsonBsonConverter.ToBsonDocument(json)));

        Assert.True(JsonElement.DeepEquals(json, restored), $"Restored {restored.GetRawText()}");
    }

    [Fact]
    public void ToBson_SpecialKeys_SurviveBsonSerialization()
    {
        var json = RecordedPages.Parse("""{"a.b": {"$type": "x"}, "n\u0000k": "v\u0000w"}""");

        var bytes = JsonBsonConverter.ToBsonDocument(json).ToBson();
        var read = BsonSerializer.Deserialize<BsonDocument>(bytes);

        Assert.True(JsonElement.DeepEquals(json, RecordedPages.Parse(JsonBsonConverter.ToJson(read))));
    }

    [Fact]
    public void ToBson_NulInStringValue_IsKept()
    {
        var json = RecordedPages.Parse("""{"text": "a\u0000b"}""");

        var read = BsonSerializer.Deserialize<BsonDocument>(JsonBsonConverter.ToBsonDocument(json).ToBson());

        Assert.Equal("a\0b", read["text"].AsString);
    }

    [Theory]
    [InlineData("0", BsonType.Int32)]
    [InlineData("-2147483648", BsonType.Int32)]
    [InlineData("2147483648", BsonType.Int64)]
    [InlineData("1440716895355764743", BsonType.Int64)]
    [InlineData("9223372036854775807", BsonType.Int64)]
    [InlineData("-9223372036854775808", BsonType.Int64)]
    [InlineData("9223372036854775808", BsonType.Decimal128)]
    [InlineData("123456789012345678901234567890", BsonType.Decimal128)]
    [InlineData("0.1", BsonType.Decimal128)]
    [InlineData("1.50", BsonType.Decimal128)]
    [InlineData("-51.5072", BsonType.Decimal128)]
    [InlineData("1e400", BsonType.Decimal128)]
    [InlineData("12345678901234567890123456789012345678901234567890", BsonType.Document)]
    [InlineData("0.12345678901234567890123456789012345", BsonType.Document)]
    [InlineData("1e99999", BsonType.Document)]
    public void ToBson_Number_ChoosesExactType(string number, BsonType expected)
    {
        var value = JsonBsonConverter.ToBson(RecordedPages.Parse(number));

        Assert.Equal(expected, value.BsonType);
    }

    [Theory]
    [InlineData("1440716895355764743")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("18446744073709551615")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("12345678901234567890123456789012345678901234567890")]
    [InlineData("0.1")]
    [InlineData("1.50")]
    [InlineData("-0.0")]
    [InlineData("6.02214076e23")]
    [InlineData("1e400")]
    [InlineData("1E-400")]
    [InlineData("0.12345678901234567890123456789012345")]
    [InlineData("1e99999")]
    public void ToJson_Number_KeepsExactValue(string number)
    {
        var json = RecordedPages.Parse($$"""{"n": {{number}}}""");

        var read = BsonSerializer.Deserialize<BsonDocument>(JsonBsonConverter.ToBsonDocument(json).ToBson());
        var restored = RecordedPages.Parse(JsonBsonConverter.ToJson(read));

        Assert.Equal(Normalize(number), Normalize(restored.GetProperty("n").GetRawText()));
    }

    [Fact]
    public void ToBson_BigInteger_KeepsEveryDigit()
    {
        var json = RecordedPages.Parse("""{"id": 1440716895355764743, "big": 18446744073709551615}""");

        var document = JsonBsonConverter.ToBsonDocument(json);

        Assert.Equal(1440716895355764743L, document["id"].AsInt64);
        Assert.Equal("18446744073709551615", document["big"].AsDecimal128.ToString());
    }

    [Fact]
    public void ToBson_RepeatedKey_Throws()
    {
        var json = RecordedPages.Parse("""{"a": 1, "a": 2}""");

        Assert.Throws<FormatException>(() => JsonBsonConverter.ToBsonDocument(json));
    }

    [Fact]
    public void ToBson_LoneSurrogate_Throws()
    {
        var json = RecordedPages.Parse("""{"text": "a\ud800b"}""");

        Assert.Throws<InvalidOperationException>(() => JsonBsonConverter.ToBsonDocument(json));
    }

    [Fact]
    public void ToBsonDocument_Array_Throws()
    {
        Assert.Throws<FormatException>(() => JsonBsonConverter.ToBsonDocument(RecordedPages.Parse("[1]")));
    }

    [Fact]
    public void ToJson_DateValue_Throws()
    {
        Assert.Throws<NotSupportedException>(() => JsonBsonConverter.ToJson(new BsonDocument("d", new BsonDateTime(0))));
    }

    [Theory]
    [MemberData(nameof(RecordedPages.Files), MemberType = typeof(RecordedPages))]
    public void ToJson_RecordedPage_RestoresEveryObject(string file)
    {
        foreach (var line in File.ReadLines(Pipeline.Testing.TestData.Path(file)).Where(l => l.Length > 0))
        {
            var page = RecordedPages.Parse(line);

            var bytes = JsonBsonConverter.ToBsonDocument(page).ToBson();
            var restored = RecordedPages.Parse(JsonBsonConverter.ToJson(BsonSerializer.Deserialize<BsonDocument>(bytes)));

            Assert.True(JsonElement.DeepEquals(page, restored), $"A page of {file} changed in the round trip.");
        }
    }

    /// <summary>Returns the decimal value of a JSON number as sign, significant digits and exponent.</summary>
    private static string Normalize(string number)
    {
        var value = number.ToUpperInvariant();
        var exponent = 0;
        var e = value.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(value[(e + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            value = value[..e];
        }

        var negative = value.StartsWith('-');
        value = value.TrimStart('-');
        var point = value.IndexOf('.', StringComparison.Ordinal);
        if (point >= 0)
        {
            exponent -= value.Length - point - 1;
            value = value.Remove(point, 1);
        }

        var digits = value.TrimStart('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length;
        return $"{(negative ? "-" : "")}{trimmed}E{exponent}";
    }
}
