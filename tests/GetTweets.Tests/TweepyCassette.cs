using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Testing;

namespace Pipeline.GetTweets.Tests;

/// <summary>One recorded HTTP exchange: the request and the response as the X API sent it.</summary>
internal sealed record RecordedExchange(string Method, string Uri, int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The response as the fake X API serves it: status, body and the <c>x-rate-limit-*</c> headers.</summary>
    public ScriptedResponse ToScriptedResponse() => new(
        StatusCode,
        Body,
        Headers.Where(h => h.Key.StartsWith("x-rate-limit-", StringComparison.Ordinal)).ToDictionary(h => h.Key, h => h.Value));
}

/// <summary>
/// Reads the vcrpy cassettes under tests/testdata/tweepy. They have one layout, so a few patterns
/// read them: <c>method</c>, <c>uri</c> and <c>code</c> lines, each response header as a key line
/// followed by <c>- 'value'</c>, and the body as base64 lines under <c>string: !!binary |</c>,
/// which are gzip-compressed JSON.
/// </summary>
internal static partial class TweepyCassette
{
    /// <summary>Returns the first exchange of the cassette <paramref name="fileName"/>.</summary>
    public static RecordedExchange Load(string fileName)
    {
        var lines = File.ReadAllLines(TestData.Path($"tweepy/{fileName}"));
        var responseAt = Array.FindIndex(lines, l => l == "  response:");
        var request = lines[..responseAt];
        var response = lines[responseAt..];

        return new RecordedExchange(
            Value(request, "    method: "),
            Value(request, "    uri: "),
            int.Parse(Value(response, "      code: "), CultureInfo.InvariantCulture),
            Headers(response),
            Body(response));
    }

    private static string Value(string[] lines, string prefix) =>
        lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    private static Dictionary<string, string> Headers(string[] response)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = Array.FindIndex(response, l => l == "    headers:");
        for (var i = start + 1; i + 1 < response.Length && response[i].StartsWith("      ", StringComparison.Ordinal); i++)
        {
            var key = HeaderKey().Match(response[i]);
            var value = HeaderValue().Match(response[i + 1]);
            if (key.Success && value.Success)
            {
                headers[key.Groups[1].Value] = value.Groups[1].Value;
            }
        }

        return headers;
    }

    private static string Body(string[] response)
    {
        var start = Array.FindIndex(response, l => l == "      string: !!binary |");
        var base64 = new StringBuilder();
        for (var i = start + 1; i < response.Length && response[i].StartsWith("        ", StringComparison.Ordinal); i++)
        {
            base64.Append(response[i].Trim());
        }

        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(base64.ToString())), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("^      ([a-z0-9-]+):$")]
    private static partial Regex HeaderKey();

    [GeneratedRegex("^      - '(.*)'$")]
    private static partial Regex HeaderValue();
}
