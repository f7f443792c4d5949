using System.Buffers;
using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Pages;

/// <summary>One filtered-stream rule that a tweet matched: its id as a decimal string and its tag, if any.</summary>
internal sealed record MatchingRule(string Id, string? Tag);

/// <summary>
/// Reads the <c>matching_rules</c> of a filtered-stream message. The stream has sent rule ids both as
/// JSON strings (as the OpenAPI spec declares them) and as JSON numbers, so ids are kept as strings
/// of their exact digits, never passing through a double.
/// </summary>
internal static class MatchingRules
{
    /// <summary>
    /// Returns <paramref name="rules"/> with every numeric <c>id</c> rewritten as a string of the same
    /// digits; every other property is kept as it came. A value that is not an array is returned unchanged.
    /// </summary>
    public static JsonElement Normalize(JsonElement rules)
    {
        if (rules.ValueKind != JsonValueKind.Array || !rules.EnumerateArray().Any(HasNumericId))
        {
            return rules;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var rule in rules.EnumerateArray())
            {
                if (!HasNumericId(rule))
                {
                    rule.WriteTo(writer);
                    continue;
                }

                writer.WriteStartObject();
                foreach (var property in rule.EnumerateObject())
                {
                    if (property.NameEquals("id"))
                    {
                        writer.WriteString("id", property.Value.GetRawText());
                    }
                    else
                    {
                        property.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Returns the rules of a <c>matching_rules</c> array that have an id; an absent or malformed value gives none.</summary>
    public static List<MatchingRule> Read(JsonElement rules)
    {
        var result = new List<MatchingRule>();
        if (rules.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var rule in rules.EnumerateArray())
        {
            if (rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("id", out var id) && IncludedObjects.KeyText(id) is { } text)
            {
                result.Add(new MatchingRule(text, ApiJson.GetString(rule, "tag")));
            }
        }

        return result;
    }

    private static bool HasNumericId(JsonElement rule) =>
        rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number;
}
