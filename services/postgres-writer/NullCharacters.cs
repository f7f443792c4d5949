using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.PostgresWriter;

/// <summary>
/// Replaces U+0000 in the decoded strings of a JSON value with U+FFFD, because PostgreSQL text
/// cannot hold U+0000 and jsonb rejects the <c>\u0000</c> escape. The replacement works on decoded
/// strings, so an escaped backslash followed by <c>u0000</c> (the six characters, not a null
/// character) is left as it is.
/// </summary>
internal static class NullCharacters
{
    /// <summary>The character stored in place of U+0000.</summary>
    public const char Replacement = '\uFFFD';

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // jsonb stores the decoded value, so escaping only what JSON requires keeps the text small.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Returns <paramref name="value"/> and its JSON text with U+0000 replaced in every string
    /// value and property name, and how many characters were replaced. A value whose text has no
    /// <c>\u0000</c> escape is returned as it is.
    /// </summary>
    public static CleanJson Replace(JsonElement value)
    {
        var json = value.GetRawText();

        // JSON text cannot hold a raw U+0000, so a null character always arrives as this escape.
        if (!json.Contains("\\u0000", StringComparison.Ordinal))
        {
            return new CleanJson(value, json, 0);
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length);
        var replaced = 0;
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(value, writer, ref replaced);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return new CleanJson(document.RootElement.Clone(), Encoding.UTF8.GetString(buffer.WrittenSpan), replaced);
    }

    private static void Write(JsonElement value, Utf8JsonWriter writer, ref int replaced)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(ReplaceIn(property.Name, ref replaced));
                    Write(property.Value, writer, ref replaced);
                }

                writer.WriteEndObject();
                break;

            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(item, writer, ref replaced);
                }

                writer.WriteEndArray();
                break;

            case JsonValueKind.String:
                writer.WriteStringValue(ReplaceIn(value.GetString()!, ref replaced));
                break;

            default:
                // Numbers keep their exact text, so 64-bit ids written as numbers stay exact.
                value.WriteTo(writer);
                break;
        }
    }

    private static string ReplaceIn(string text, ref int replaced)
    {
        var count = text.AsSpan().Count('\0');
        if (count == 0)
        {
            return text;
        }

        replaced += count;
        return text.Replace('\0', Replacement);
    }
}

/// <summary>A JSON value without U+0000 in its strings, with its JSON text.</summary>
/// <param name="Value">The value to read typed fields from.</param>
/// <param name="Json">The JSON text to store.</param>
/// <param name="Replaced">How many U+0000 characters were replaced.</param>
internal readonly record struct CleanJson(JsonElement Value, string Json, int Replaced);
