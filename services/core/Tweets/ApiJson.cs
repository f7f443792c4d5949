using System.Globalization;
using System.Text.Json;

namespace Pipeline.Core.Tweets;

/// <summary>
/// Readers for the value shapes the X API uses. Ids are read as exact signed 64-bit integers
/// from either a string or a JSON number, never through a double, because tweet ids exceed the
/// 53 bits a double holds exactly.
/// </summary>
public static class ApiJson
{
    // v1.1 archives write created_at as "Wed May 24 20:17:19 +0000 2017".
    private const string V1CreatedAtFormat = "ddd MMM dd HH:mm:ss zzz yyyy";

    /// <summary>Reads an id property. Returns null when it is missing or JSON null.</summary>
    public static long? GetId(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? ReadId(value) : null;

    /// <summary>Reads an id from a string such as <c>"1440716895355764743"</c> or from an integer number.</summary>
    public static long? ReadId(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => long.Parse(value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
        JsonValueKind.Number => value.GetInt64(),
        JsonValueKind.Null => null,
        _ => throw new FormatException($"An id must be a string or an integer, not {value.ValueKind}."),
    };

    /// <summary>Reads a string property; returns null when it is missing or JSON null.</summary>
    public static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Reads a boolean property; returns null when it is missing or not a boolean.</summary>
    public static bool? GetBool(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    /// <summary>Reads an integer property that the API may write as a number or as a string.</summary>
    public static long? GetInt64(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetInt64(),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }

    /// <summary>Reads <c>created_at</c> in the v2 ISO 8601 form or the v1.1 form, as an instant in UTC.</summary>
    public static DateTimeOffset? GetTimestamp(JsonElement obj, string name)
    {
        var text = GetString(obj, name);
        return text is null ? null : ParseTimestamp(text);
    }

    /// <summary>Parses an API timestamp; throws <see cref="FormatException"/> naming the value when it matches neither form.</summary>
    public static DateTimeOffset ParseTimestamp(string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return iso.ToUniversalTime();
        }

        if (DateTimeOffset.TryParseExact(text, V1CreatedAtFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var v1))
        {
            return v1.ToUniversalTime();
        }

        throw new FormatException($"Invalid timestamp '{text}': expected ISO 8601 (v2) or 'ddd MMM dd HH:mm:ss +zzzz yyyy' (v1.1).");
    }

    /// <summary>Returns the first property of <paramref name="obj"/> that exists among <paramref name="names"/>.</summary>
    public static bool TryGetAny(JsonElement obj, out JsonElement value, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }
        }

        value = default;
        return false;
    }
}
