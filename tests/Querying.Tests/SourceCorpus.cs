using System.Globalization;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Querying.Tests;

/// <summary>
/// The recorded pages that the query tests load, read straight from their JSON without the
/// pipeline's own parsers, so that expected answers do not share a bug with the writers.
/// </summary>
public sealed class SourceCorpus
{
    /// <summary>The folder under <c>tests/testdata</c> whose pages are loaded.</summary>
    public const string Folder = "docnow-twarc-csv";

    /// <summary>When the first file was collected; each later file one minute after the one before.</summary>
    public static readonly DateTimeOffset FirstCollectedAt = new(2023, 7, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The compliance results loaded after the pages, under <c>tests/testdata</c>.</summary>
    public const string ComplianceFile = "querying/tweets_compliance.jsonl";

    private SourceCorpus(IReadOnlyList<string> files, Dictionary<long, SourceTweet> tweets, Dictionary<long, string?> usernames, IncludedObjects included, Dictionary<long, string> deletions)
    {
        Files = files;
        Tweets = tweets;
        Usernames = usernames;
        MediaTypes = included.MediaTypes;
        Places = included.Places;
        PollOptions = included.PollOptions;
        Deletions = deletions;
    }

    /// <summary>The page files in load order (ordinal order of their paths).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Every tweet of <c>data</c> and <c>includes.tweets</c> by id, as the last page that held it delivered it.</summary>
    public IReadOnlyDictionary<long, SourceTweet> Tweets { get; }

    /// <summary>Usernames of the users in <c>includes.users</c>, by user id.</summary>
    public IReadOnlyDictionary<long, string?> Usernames { get; }

    /// <summary>Media types by media key, from <c>includes.media</c>.</summary>
    public IReadOnlyDictionary<string, string> MediaTypes { get; }

    /// <summary>Full name and country code of each place by place id, from <c>includes.places</c>.</summary>
    public IReadOnlyDictionary<string, (string? FullName, string? CountryCode)> Places { get; }

    /// <summary>The options of each poll by poll id, from <c>includes.polls</c>.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<(long Position, string Label, long? Votes)>> PollOptions { get; }

    /// <summary>The reason of each deletion in <see cref="ComplianceFile"/>, by tweet id.</summary>
    public IReadOnlyDictionary<long, string> Deletions { get; }

    /// <summary>Ids of the tweets that some page delivered in its <c>data</c>: they matched the query, unlike those only in <c>includes</c>.</summary>
    public IReadOnlySet<long> Matched { get; private init; } = new HashSet<long>();

    /// <summary>The tweets that no deletion flagged.</summary>
    public IEnumerable<SourceTweet> Current => Tweets.Values.Where(t => !Deletions.ContainsKey(t.Id));

    /// <summary>The collection time given to the file at <paramref name="index"/> in <see cref="Files"/>.</summary>
    public static DateTimeOffset CollectedAt(int index) => FirstCollectedAt.AddMinutes(index);

    /// <summary>Reads every page file of <see cref="Folder"/>.</summary>
    public static SourceCorpus Load()
    {
        var files = Directory.GetFiles(TestData.Path(Folder), "*.jsonl").Where(IsPageFile).Order(StringComparer.Ordinal).ToList();
        var tweets = new Dictionary<long, SourceTweet>();
        var usernames = new Dictionary<long, string?>();
        var includedObjects = new IncludedObjects();
        var inData = new HashSet<long>();
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0))
            {
                using var page = JsonDocument.Parse(line);
                var root = page.RootElement;
                var includes = root.TryGetProperty("includes", out var found) ? found : default;
                if (includes.ValueKind == JsonValueKind.Object && includes.TryGetProperty("users", out var users))
                {
                    foreach (var user in users.EnumerateArray())
                    {
                        usernames[ParseId(user.GetProperty("id"))] = user.TryGetProperty("username", out var name) ? name.GetString() : null;
                    }
                }

                includedObjects.Add(includes);
                var pageTweets = new List<JsonElement>();
                if (root.TryGetProperty("data", out var data))
                {
                    pageTweets.AddRange(data.ValueKind == JsonValueKind.Array ? data.EnumerateArray() : [data]);
                    inData.UnionWith(pageTweets.Select(t => ParseId(t.GetProperty("id"))));
                }

                if (includes.ValueKind == JsonValueKind.Object && includes.TryGetProperty("tweets", out var included))
                {
                    pageTweets.AddRange(included.EnumerateArray());
                }

                // A page may hold one tweet twice, in data and includes or twice in includes, with
                // different detail. The collector keeps the first copy of a page; a later page replaces it.
                var seen = new HashSet<long>();
                foreach (var tweet in pageTweets)
                {
                    var parsed = SourceTweet.Parse(tweet.Clone());
                    if (seen.Add(parsed.Id))
                    {
                        tweets[parsed.Id] = parsed;
                    }
                }
            }
        }

        var deletions = new Dictionary<long, string>();
        foreach (var line in File.ReadLines(TestData.Path(ComplianceFile)).Where(l => l.Trim().Length > 0))
        {
            using var result = JsonDocument.Parse(line);
            deletions[ParseId(result.RootElement.GetProperty("id"))] = result.RootElement.GetProperty("reason").GetString()!;
        }

        return new SourceCorpus(files, tweets, usernames, includedObjects, deletions) { Matched = inData };
    }

    /// <summary>Returns true for a file of API response pages; the folder also contains compliance results, which are not.</summary>
    private static bool IsPageFile(string file)
    {
        using var first = JsonDocument.Parse(File.ReadLines(file).First(l => l.Trim().Length > 0));
        return first.RootElement.TryGetProperty("data", out _) || first.RootElement.TryGetProperty("includes", out _);
    }

    /// <summary>The username of a tweet's author, or null when no page included the author.</summary>
    public string? AuthorName(SourceTweet tweet) =>
        tweet.AuthorId is { } id && Usernames.TryGetValue(id, out var name) ? name : null;

    /// <summary>
    /// The text the writers score: a retweet's original's whole text when the original is stored,
    /// otherwise the tweet's own whole text.
    /// </summary>
    public string ScoredText(SourceTweet tweet) =>
        tweet.RetweetedId is { } original && Tweets.TryGetValue(original, out var source) ? source.FullText : tweet.FullText;

    /// <summary>Reads an id written as a JSON string (the API's form) or a number.</summary>
    public static long ParseId(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? long.Parse(value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture)
            : value.GetInt64();
}

/// <summary>The fields of one source tweet that the documented questions ask about.</summary>
public sealed record SourceTweet(
    long Id,
    long? AuthorId,
    DateTimeOffset CreatedAt,
    string? Lang,
    string FullText,
    long? ConversationId,
    long? RetweetCount,
    IReadOnlyList<long> EditHistoryIds,
    IReadOnlyList<(string Type, long Id)> References,
    IReadOnlyList<string> Hashtags,
    IReadOnlyList<string> Mentions,
    IReadOnlyList<(string? ExpandedUrl, string? UnwoundUrl)> Urls,
    long Engagement,
    IReadOnlyList<string> MediaKeys,
    string? PlaceId,
    IReadOnlyList<long> PollIds)
{
    /// <summary>The id of the retweeted original, when the tweet is a retweet.</summary>
    public long? RetweetedId => References.Where(r => r.Type == "retweeted").Select(r => (long?)r.Id).FirstOrDefault();

    /// <summary>The id of the tweet this one replies to.</summary>
    public long? RepliedToId => References.Where(r => r.Type == "replied_to").Select(r => (long?)r.Id).FirstOrDefault();

    /// <summary>The id of the original post of the tweet's edit chain.</summary>
    public long EditChainId => EditHistoryIds.Count > 0 ? EditHistoryIds[0] : Id;

    /// <summary>Reads a raw tweet object. A long post's whole text and its entities are in <c>note_tweet</c>.</summary>
    public static SourceTweet Parse(JsonElement tweet)
    {
        var note = tweet.TryGetProperty("note_tweet", out var found) ? found : default;
        var fullText = note.ValueKind == JsonValueKind.Object ? note.GetProperty("text").GetString()! : tweet.GetProperty("text").GetString()!;
        var entities = note.ValueKind == JsonValueKind.Object && note.TryGetProperty("entities", out var noteEntities)
            ? noteEntities
            : tweet.TryGetProperty("entities", out var own) ? own : default;

        return new SourceTweet(
            SourceCorpus.ParseId(tweet.GetProperty("id")),
            OptionalId(tweet, "author_id"),
            DateTimeOffset.Parse(tweet.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            tweet.TryGetProperty("lang", out var lang) ? lang.GetString() : null,
            fullText,
            OptionalId(tweet, "conversation_id"),
            tweet.TryGetProperty("public_metrics", out var metrics) && metrics.TryGetProperty("retweet_count", out var retweets) ? retweets.GetInt64() : null,
            tweet.TryGetProperty("edit_history_tweet_ids", out var edits) ? [.. edits.EnumerateArray().Select(SourceCorpus.ParseId)] : [],
            tweet.TryGetProperty("referenced_tweets", out var references)
                ? [.. references.EnumerateArray().Select(r => (r.GetProperty("type").GetString()!, SourceCorpus.ParseId(r.GetProperty("id"))))]
                : [],
            [.. Entities(entities, "hashtags").Select(h => h.GetProperty("tag").GetString()!)],
            [.. Entities(entities, "mentions").Select(m => m.GetProperty("username").GetString()!)],
            [.. Entities(entities, "urls").Select(u => (Text(u, "expanded_url"), Text(u, "unwound_url")))],
            new[] { "like_count", "retweet_count", "reply_count", "quote_count" }
                .Sum(name => tweet.TryGetProperty("public_metrics", out var counts) && counts.TryGetProperty(name, out var count) ? count.GetInt64() : 0),
            [.. Attachments(tweet, "media_keys").Select(key => key.GetString()!)],
            tweet.TryGetProperty("geo", out var geo) ? Text(geo, "place_id") : null,
            [.. Attachments(tweet, "poll_ids").Select(SourceCorpus.ParseId)]);
    }

    private static List<JsonElement> Attachments(JsonElement tweet, string kind) =>
        tweet.TryGetProperty("attachments", out var attachments) && attachments.TryGetProperty(kind, out var list) ? [.. list.EnumerateArray()] : [];

    private static List<JsonElement> Entities(JsonElement entities, string kind) =>
        entities.ValueKind == JsonValueKind.Object && entities.TryGetProperty(kind, out var list) ? [.. list.EnumerateArray()] : [];

    private static long? OptionalId(JsonElement tweet, string name) =>
        tweet.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? SourceCorpus.ParseId(value) : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The media, places and polls of every page's <c>includes</c>; a later page replaces an earlier copy.</summary>
internal sealed class IncludedObjects
{
    /// <summary>Media types by media key.</summary>
    public Dictionary<string, string> MediaTypes { get; } = [];

    /// <summary>Full name and country code by place id.</summary>
    public Dictionary<string, (string? FullName, string? CountryCode)> Places { get; } = [];

    /// <summary>Options by poll id.</summary>
    public Dictionary<long, IReadOnlyList<(long Position, string Label, long? Votes)>> PollOptions { get; } = [];

    /// <summary>Adds the objects of one page's <c>includes</c>.</summary>
    public void Add(JsonElement includes)
    {
        if (includes.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var media in List(includes, "media"))
        {
            MediaTypes[media.GetProperty("media_key").GetString()!] = media.GetProperty("type").GetString()!;
        }

        foreach (var place in List(includes, "places"))
        {
            Places[place.GetProperty("id").GetString()!] = (String(place, "full_name"), String(place, "country_code"));
        }

        foreach (var poll in List(includes, "polls"))
        {
            PollOptions[SourceCorpus.ParseId(poll.GetProperty("id"))] =
                [.. poll.GetProperty("options").EnumerateArray().Select(o => (
                    o.GetProperty("position").GetInt64(),
                    o.GetProperty("label").GetString()!,
                    o.TryGetProperty("votes", out var votes) ? votes.GetInt64() : (long?)null))];
        }
    }

    private static List<JsonElement> List(JsonElement includes, string kind) =>
        includes.TryGetProperty(kind, out var list) ? [.. list.EnumerateArray()] : [];

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
