using System.Text.Json.Nodes;

namespace Pipeline.GetTweets.Tests;

/// <summary>
/// Builds filtered-stream messages from the recorded brexit.jsonl page: one tweet per line, with its
/// author in <c>includes</c> and the rules it matched, as the stream sends them.
/// </summary>
internal static class StreamMessages
{
    private static readonly Lazy<JsonObject> BrexitPage = new(() => RecordedPages.FirstPage("brexit.jsonl"));

    /// <summary>
    /// The tweets of brexit.jsonl that reference no other tweet, so that each line carries exactly
    /// one tweet and the expected queue is the tweets sent.
    /// </summary>
    public static IReadOnlyList<JsonObject> PlainTweets { get; } =
        [.. BrexitPage.Value["data"]!.AsArray().Select(t => t!.AsObject()).Where(t => t["referenced_tweets"] is null)];

    /// <summary>The id of plain tweet <paramref name="index"/>.</summary>
    public static string IdOf(int index) => PlainTweets[index]["id"]!.GetValue<string>();

    /// <summary>A rule that a tweet matched, with its id written as a JSON number.</summary>
    public static JsonObject Rule(long id, string? tag) => WithTag(new JsonObject { ["id"] = id }, tag);

    /// <summary>A rule that a tweet matched, with its id written as a JSON string.</summary>
    public static JsonObject Rule(string id, string? tag) => WithTag(new JsonObject { ["id"] = id }, tag);

    /// <summary>The stream line of plain tweet <paramref name="index"/>, matched by <paramref name="rules"/> (by default one tagged rule).</summary>
    public static string TweetLine(int index, params JsonObject[] rules)
    {
        var tweet = PlainTweets[index];
        var authorId = tweet["author_id"]!.GetValue<string>();
        var author = BrexitPage.Value["includes"]!["users"]!.AsArray().First(u => u!["id"]!.GetValue<string>() == authorId)!;
        var message = new JsonObject
        {
            ["data"] = tweet.DeepClone(),
            ["includes"] = new JsonObject { ["users"] = new JsonArray(author.DeepClone()) },
            ["matching_rules"] = new JsonArray([.. (rules.Length > 0 ? rules : [Rule("1600000000000000001", "brexit")]).Select(r => r.DeepClone())]),
        };
        return message.ToJsonString();
    }

    /// <summary>An operational-disconnect message, with the kind under <paramref name="kindProperty"/>.</summary>
    public static string OperationalDisconnect(string kindProperty, string kind) => new JsonObject
    {
        ["errors"] = new JsonArray(new JsonObject
        {
            ["title"] = "operational-disconnect",
            [kindProperty] = kind,
            ["detail"] = "This stream has been disconnected for operational reasons.",
            ["type"] = "https://api.twitter.com/2/problems/operational-disconnect",
        }),
    }.ToJsonString();

    private static JsonObject WithTag(JsonObject rule, string? tag)
    {
        if (tag is not null)
        {
            rule["tag"] = tag;
        }

        return rule;
    }
}
