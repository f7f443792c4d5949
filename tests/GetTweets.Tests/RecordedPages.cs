using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.GetTweets.Tests;

/// <summary>
/// Reads the recorded pages independently of the code under test (with <see cref="JsonNode"/>),
/// so that expected ids do not come from the parser they check.
/// </summary>
internal static class RecordedPages
{
    /// <summary>The full path of a recorded file under tests/testdata/docnow-twarc-csv.</summary>
    public static string PathOf(string fileName) => TestData.Path($"docnow-twarc-csv/{fileName}");

    /// <summary>The lines of a recorded file.</summary>
    public static string[] Lines(string fileName) => File.ReadAllLines(PathOf(fileName));

    /// <summary>The first (often only) page of a recorded file.</summary>
    public static JsonObject FirstPage(string fileName) => JsonNode.Parse(Lines(fileName)[0])!.AsObject();

    /// <summary>The distinct tweet ids of <c>data</c> and <c>includes.tweets</c> over all lines, as the API wrote them.</summary>
    public static HashSet<string> DistinctTweetIds(IEnumerable<string> lines)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            var page = JsonNode.Parse(line)!.AsObject();
            foreach (var tweet in TweetsOf(page))
            {
                ids.Add(tweet["id"]!.GetValue<string>());
            }
        }

        return ids;
    }

    /// <summary>The distinct tweet ids of response pages given as JSON text, such as cassette bodies.</summary>
    public static HashSet<string> DistinctTweetIdsOfPages(params string[] pages) => DistinctTweetIds(pages.AsEnumerable());

    /// <summary>The distinct tweet ids of recorded files.</summary>
    public static HashSet<string> DistinctTweetIds(params string[] fileNames) =>
        DistinctTweetIds(fileNames.SelectMany(Lines));

    /// <summary>The tweet objects of <c>data</c> (array or single object) and <c>includes.tweets</c>.</summary>
    public static IEnumerable<JsonObject> TweetsOf(JsonObject page)
    {
        switch (page["data"])
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    yield return item!.AsObject();
                }

                break;
            case JsonObject single:
                yield return single;
                break;
        }

        if (page["includes"]?["tweets"] is JsonArray included)
        {
            foreach (var item in included)
            {
                yield return item!.AsObject();
            }
        }
    }
}
