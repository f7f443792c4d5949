using System.Text;
using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Queue.Benchmarks;

/// <summary>
/// Queue payloads made from recorded tweets: each is a <see cref="TweetEnvelope"/> in the collector's
/// format, with the tweet's author and the referenced tweets that the page included. Media, places
/// and polls stay empty, which the size filter makes up for. Message number n of a run carries
/// template n modulo the template count.
/// </summary>
internal sealed class TweetPayloads
{
    // Envelopes of about 3 KB, the size the workloads are specified for.
    private const int MinBytes = 2_500;
    private const int MaxBytes = 3_600;
    private const int TemplateCount = 50;

    private readonly string[] templates;

    private TweetPayloads(string[] templates)
    {
        this.templates = templates;
        MeanBytes = templates.Average(t => Encoding.UTF8.GetByteCount(t));
    }

    /// <summary>Mean UTF-8 size of the templates in bytes.</summary>
    public double MeanBytes { get; }

    public int Count => templates.Length;

    /// <summary>Returns the payload of message number <paramref name="sequence"/>.</summary>
    public string Get(long sequence) => templates[sequence % templates.Length];

    /// <summary>Builds the templates from the twarc2 pages (one response page per line) in <paramref name="pageFiles"/>.</summary>
    public static TweetPayloads Load(IEnumerable<string> pageFiles)
    {
        var collectedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var templates = new List<string>();
        foreach (var file in pageFiles)
        {
            var source = new CollectionSource("replay", Path.GetFileName(file));
            foreach (var line in File.ReadLines(file).Where(l => l.Length > 0))
            {
                using var page = JsonDocument.Parse(line);
                templates.AddRange(BuildEnvelopes(page.RootElement, source, collectedAt)
                    .Select(envelope => envelope.ToJson())
                    .Where(json => Encoding.UTF8.GetByteCount(json) is >= MinBytes and <= MaxBytes));
            }
        }

        if (templates.Count == 0)
        {
            throw new InvalidOperationException($"No tweet of {MinBytes} to {MaxBytes} bytes found in the recorded pages.");
        }

        return new TweetPayloads([.. templates.Take(TemplateCount)]);
    }

    /// <summary>Writes one payload per line, for the graphile-worker driver.</summary>
    public void WriteJsonLines(string path) => File.WriteAllLines(path, templates);

    private static IEnumerable<TweetEnvelope> BuildEnvelopes(JsonElement page, CollectionSource source, DateTimeOffset collectedAt)
    {
        if (!page.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var includes = page.TryGetProperty("includes", out var value) ? value : default;
        var users = IndexById(includes, "users");
        var tweets = IndexById(includes, "tweets");
        foreach (var tweet in data.EnumerateArray())
        {
            var references = new List<ReferencedTweetEnvelope>();
            if (tweet.TryGetProperty("referenced_tweets", out var referenced))
            {
                foreach (var reference in referenced.EnumerateArray())
                {
                    var id = reference.GetProperty("id").GetString()!;
                    JsonElement? included = tweets.TryGetValue(id, out var found) ? found.Clone() : null;
                    references.Add(new ReferencedTweetEnvelope(
                        reference.GetProperty("type").GetString()!,
                        id,
                        included,
                        included is { } item ? FindAuthor(users, item) : null));
                }
            }

            yield return new TweetEnvelope(
                tweet.GetProperty("id").GetString()!,
                tweet.Clone(),
                FindAuthor(users, tweet),
                references,
                [],
                [],
                [],
                null,
                source,
                collectedAt);
        }
    }

    private static Dictionary<string, JsonElement> IndexById(JsonElement includes, string name)
    {
        var index = new Dictionary<string, JsonElement>();
        if (includes.ValueKind == JsonValueKind.Object && includes.TryGetProperty(name, out var items))
        {
            foreach (var item in items.EnumerateArray())
            {
                index.TryAdd(item.GetProperty("id").GetString()!, item);
            }
        }

        return index;
    }

    private static JsonElement? FindAuthor(Dictionary<string, JsonElement> users, JsonElement tweet) =>
        tweet.TryGetProperty("author_id", out var authorId) && users.TryGetValue(authorId.GetString()!, out var user)
            ? user.Clone()
            : null;
}
