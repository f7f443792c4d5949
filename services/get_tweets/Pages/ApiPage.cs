using System.Globalization;
using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Pages;

/// <summary>
/// One X API v2 response page turned into queue envelopes: every tweet of <c>data</c> and of
/// <c>includes.tweets</c>, each once, with its author, referenced tweets, media, places and polls
/// resolved from <c>includes</c>.
/// </summary>
/// <param name="Tweets">The envelopes in page order: <c>data</c> first, then <c>includes.tweets</c>.</param>
/// <param name="Errors">The page's partial errors: items the API could not return.</param>
/// <param name="Deletions">The tweets the API reported not found in <see cref="Errors"/>, each once, none of them in <see cref="Tweets"/>.</param>
/// <param name="NewestId">The newest tweet id of <c>data</c>, from <c>meta.newest_id</c> when present.</param>
/// <param name="NextToken">The token of the next page, or null on the last page.</param>
internal sealed record ApiPage(
    IReadOnlyList<TweetEnvelope> Tweets,
    IReadOnlyList<PartialError> Errors,
    IReadOnlyList<TweetDeletion> Deletions,
    long? NewestId,
    string? NextToken)
{
    /// <summary>
    /// Reads a response page. Throws <see cref="FormatException"/> naming the problem when the JSON
    /// is not a response page or one of its tweets has no valid id or text.
    /// </summary>
    public static ApiPage Parse(JsonElement page, CollectionSource source, DateTimeOffset collectedAt)
    {
        if (page.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"The line is a JSON {page.ValueKind}, not an X API response page (a JSON object).");
        }

        var data = ReadData(page);
        var includes = IncludedObjects.Read(page);
        var hasMeta = page.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object;
        var errors = ReadErrors(page);
        if (data.Count == 0 && includes.IsEmpty && errors.Count == 0 && !hasMeta)
        {
            throw new FormatException("The line is not an X API response page: it has none of 'data', 'includes', 'errors' and 'meta'.");
        }

        // data first, so that a tweet that is both a result and a referenced tweet keeps its result copy.
        var tweetsById = new Dictionary<long, JsonElement>();
        var ordered = new List<(long Id, JsonElement Tweet)>();
        AddTweets(data, "data", tweetsById, ordered);
        var dataCount = ordered.Count;
        AddTweets(includes.Tweets, "includes.tweets", tweetsById, ordered);

        // The rules of a stream message matched its data tweet, not the tweets that one refers to.
        var matchingRules = page.TryGetProperty("matching_rules", out var rules) ? MatchingRules.Normalize(rules) : (JsonElement?)null;
        var envelopes = new List<TweetEnvelope>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var (id, tweet) = ordered[i];
            var envelope = BuildEnvelope(id, tweet, includes, tweetsById, i < dataCount ? matchingRules : null, source, collectedAt);
            envelopes.Add(i < dataCount ? envelope : envelope with { Referenced = true });
        }

        var newestId = hasMeta ? ApiJson.GetId(meta, "newest_id") : null;
        if (newestId is null && data.Count > 0)
        {
            newestId = ordered.Take(data.Count).Max(t => t.Id);
        }

        var deletions = NotFoundTweets.ToDeletions(errors, tweetsById.Keys, source, collectedAt);
        return new ApiPage(envelopes, errors, deletions, newestId, hasMeta ? ApiJson.GetString(meta, "next_token") : null);
    }

    /// <summary>Returns the items of <c>data</c>: an array for searches and lookups, a single object for a lookup by id or a stream line.</summary>
    private static List<JsonElement> ReadData(JsonElement page)
    {
        if (!page.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return data.ValueKind switch
        {
            JsonValueKind.Array => [.. data.EnumerateArray()],
            JsonValueKind.Object => [data],
            _ => throw new FormatException($"'data' is a JSON {data.ValueKind}; expected an array of tweets or one tweet object."),
        };
    }

    private static void AddTweets(List<JsonElement> tweets, string location, Dictionary<long, JsonElement> tweetsById, List<(long Id, JsonElement Tweet)> ordered)
    {
        for (var i = 0; i < tweets.Count; i++)
        {
            var tweet = tweets[i];
            long id;
            try
            {
                // Validates what the writers rely on: an object with an exact 64-bit id and a text.
                id = Tweet.Parse(tweet).Id;
            }
            catch (Exception ex) when (ex is FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
            {
                throw new FormatException($"{location}[{i}] is not a valid tweet: {ex.Message}", ex);
            }

            if (tweetsById.TryAdd(id, tweet))
            {
                ordered.Add((id, tweet));
            }
        }
    }

    private static TweetEnvelope BuildEnvelope(
        long id,
        JsonElement tweet,
        IncludedObjects includes,
        Dictionary<long, JsonElement> tweetsById,
        JsonElement? matchingRules,
        CollectionSource source,
        DateTimeOffset collectedAt)
    {
        var references = new List<ReferencedTweetEnvelope>();
        if (ApiJson.TryGetAny(tweet, out var referenced, "referenced_tweets", "referenced_posts") && referenced.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in referenced.EnumerateArray())
            {
                if (ApiJson.GetString(item, "type") is not { } type || ApiJson.GetId(item, "id") is not { } referencedId)
                {
                    continue;
                }

                JsonElement? referencedTweet = tweetsById.TryGetValue(referencedId, out var found) ? found : null;
                var referencedAuthor = referencedTweet is { } value ? includes.FindUser(ApiJson.GetId(value, "author_id")) : null;
                references.Add(new ReferencedTweetEnvelope(type, referencedId.ToString(CultureInfo.InvariantCulture), referencedTweet, referencedAuthor));
            }
        }

        // A tweet without attachments leaves the element undefined, which FindAll treats as no keys.
        tweet.TryGetProperty("attachments", out var attachments);
        var media = IncludedObjects.FindAll(includes.Media, attachments, "media_keys");
        var polls = IncludedObjects.FindAll(includes.Polls, attachments, "poll_ids");
        var places = new List<JsonElement>();
        if (tweet.TryGetProperty("geo", out var geo) && geo.ValueKind == JsonValueKind.Object
            && ApiJson.GetString(geo, "place_id") is { } placeId
            && includes.Places.TryGetValue(placeId, out var place))
        {
            places.Add(place);
        }

        return new TweetEnvelope(
            id.ToString(CultureInfo.InvariantCulture),
            tweet,
            includes.FindUser(ApiJson.GetId(tweet, "author_id")),
            references,
            media,
            places,
            polls,
            matchingRules,
            source,
            collectedAt);
    }

    private static List<PartialError> ReadErrors(JsonElement page)
    {
        var errors = new List<PartialError>();
        if (page.TryGetProperty("errors", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                errors.Add(new PartialError(
                    ApiJson.GetString(item, "resource_type"),
                    ApiJson.GetString(item, "resource_id") ?? ApiJson.GetString(item, "value"),
                    ApiJson.GetString(item, "title"),
                    ApiJson.GetString(item, "detail"),
                    ApiJson.GetString(item, "type")));
            }
        }

        return errors;
    }
}

/// <summary>An item the API could not return within an otherwise successful page, such as a deleted tweet or a suspended user.</summary>
/// <param name="Type">The problem type URI, such as <c>https://api.twitter.com/2/problems/resource-not-found</c>.</param>
internal sealed record PartialError(string? ResourceType, string? ResourceId, string? Title, string? Detail, string? Type = null);
