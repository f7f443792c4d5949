using System.Globalization;
using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.PostgresWriter;

/// <summary>
/// The fields of a raw tweet object that only the Postgres writer stores and the shared
/// <see cref="Tweet"/> model does not read: withholding, geo, the attached media and poll, and
/// the annotations. Values of an unexpected kind are read as missing rather than rejected,
/// because these fields are optional and must not hold back the rest of the tweet.
/// </summary>
internal sealed record TweetDetails(
    IReadOnlyList<string>? WithheldCountryCodes,
    bool? WithheldCopyright,
    string? PlaceId,
    double? Longitude,
    double? Latitude,
    long? PollId,
    IReadOnlyList<string> MediaKeys,
    IReadOnlyList<ContextAnnotation> ContextAnnotations,
    IReadOnlyList<EntityAnnotation> EntityAnnotations)
{
    /// <summary>Id of the X Community the tweet was posted in.</summary>
    public long? CommunityId { get; init; }

    /// <summary>Whether the tweet could be edited when collected (<c>edit_controls.is_edit_eligible</c>).</summary>
    public bool? IsEditEligible { get; init; }

    /// <summary>Until when the author may edit the tweet (<c>edit_controls.editable_until</c>).</summary>
    public DateTimeOffset? EditableUntil { get; init; }

    /// <summary>Edits the author had left when the tweet was collected (<c>edit_controls.edits_remaining</c>).</summary>
    public int? EditsRemaining { get; init; }

    /// <summary>A tweet without any of these fields.</summary>
    public static TweetDetails Empty { get; } = new(null, null, null, null, null, null, [], [], []);

    /// <summary>
    /// Reads the details of a raw tweet object. <paramref name="fullTextEntities"/> is the
    /// <c>entities</c> object whose offsets point into the full text. It contains the annotations.
    /// </summary>
    public static TweetDetails Parse(JsonElement tweet, JsonElement? fullTextEntities)
    {
        var withheld = Property(tweet, "withheld");
        var geo = Property(tweet, "geo");
        var attachments = Property(tweet, "attachments");

        // geo.coordinates is a GeoJSON Point: coordinates are [longitude, latitude].
        var point = Property(Property(geo, "coordinates"), "coordinates");
        var pollIds = Strings(attachments, "poll_ids");
        var editControls = Property(tweet, "edit_controls");

        return new TweetDetails(
            withheld.ValueKind == JsonValueKind.Object && Property(withheld, "country_codes").ValueKind == JsonValueKind.Array
                ? Strings(withheld, "country_codes")
                : null,
            Boolean(Property(withheld, "copyright")),
            GetString(geo, "place_id"),
            Number(point, 0),
            Number(point, 1),
            pollIds.Count > 0 ? ParseId(pollIds[0]) : null,
            Strings(attachments, "media_keys"),
            ReadContextAnnotations(tweet),
            ReadEntityAnnotations(fullTextEntities))
        {
            CommunityId = ParseId(GetString(tweet, "community_id")),
            IsEditEligible = Boolean(Property(editControls, "is_edit_eligible")),
            EditableUntil = Timestamp(GetString(editControls, "editable_until")),
            // Recorded pages write edits_remaining as a string ("4"), the spec as an integer.
            EditsRemaining = editControls.ValueKind == JsonValueKind.Object ? (int?)ApiJson.GetInt64(editControls, "edits_remaining") : null,
        };
    }

    /// <summary>Returns the <c>entities</c> object whose offsets point into the full text: <c>note_tweet.entities</c> of a long post, otherwise the top-level one.</summary>
    public static JsonElement? FullTextEntities(JsonElement tweet)
    {
        if (ApiJson.TryGetAny(tweet, out var note, "note_tweet", "note_post")
            && note.ValueKind == JsonValueKind.Object
            && note.TryGetProperty("entities", out var noteEntities)
            && noteEntities.ValueKind == JsonValueKind.Object)
        {
            return noteEntities;
        }

        return tweet.TryGetProperty("entities", out var entities) && entities.ValueKind == JsonValueKind.Object ? entities : null;
    }

    /// <summary>Parses an id written as a decimal string; returns null when it is not one.</summary>
    public static long? ParseId(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Returns a property when <paramref name="obj"/> is an object that has it, otherwise an undefined element.</summary>
    public static JsonElement Property(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Reads a string property of an object; returns null for anything else.</summary>
    public static string? GetString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object ? ApiJson.GetString(obj, name) : null;

    /// <summary>Reads a number property of an object as a double; returns null for anything else.</summary>
    public static double? GetDouble(JsonElement obj, string name)
    {
        var value = Property(obj, name);
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
    }

    /// <summary>Reads an integer property of an object; returns null when it is missing or not a whole number in range.</summary>
    public static long? GetInt64(JsonElement obj, string name)
    {
        var value = Property(obj, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
    }

    /// <summary>Reads the string items of an array property; other items are skipped.</summary>
    public static List<string> Strings(JsonElement obj, string name)
    {
        var array = Property(obj, name);
        return array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!)]
            : [];
    }

    private static bool? Boolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // An unreadable timestamp is stored as missing, and raw keeps the text.
    private static DateTimeOffset? Timestamp(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return ApiJson.ParseTimestamp(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static double? Number(JsonElement array, int index) =>
        array.ValueKind == JsonValueKind.Array && array.GetArrayLength() > index && array[index].ValueKind == JsonValueKind.Number
            ? array[index].GetDouble()
            : null;

    private static List<ContextAnnotation> ReadContextAnnotations(JsonElement tweet)
    {
        var annotations = new List<ContextAnnotation>();
        var array = Property(tweet, "context_annotations");
        if (array.ValueKind != JsonValueKind.Array)
        {
            return annotations;
        }

        // Position is the index in the API's array, also for items that are skipped.
        var position = 0;
        foreach (var item in array.EnumerateArray())
        {
            var domain = Property(item, "domain");
            var entity = Property(item, "entity");
            if (GetString(domain, "id") is { } domainId && GetString(entity, "id") is { } entityId)
            {
                annotations.Add(new ContextAnnotation(
                    position,
                    domainId,
                    GetString(domain, "name"),
                    GetString(domain, "description"),
                    entityId,
                    GetString(entity, "name"),
                    GetString(entity, "description")));
            }

            position++;
        }

        return annotations;
    }

    private static List<EntityAnnotation> ReadEntityAnnotations(JsonElement? entities)
    {
        var annotations = new List<EntityAnnotation>();
        var array = entities is { } value ? Property(value, "annotations") : default;
        if (array.ValueKind != JsonValueKind.Array)
        {
            return annotations;
        }

        var position = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (GetString(item, "type") is { } type)
            {
                // The API's annotation end is inclusive, unlike that of hashtags and the other
                // entities, so it is stored plus 1 to make every entity table's end exclusive.
                var end = GetInt64(item, "end");
                annotations.Add(new EntityAnnotation(
                    position,
                    type,
                    GetString(item, "normalized_text"),
                    GetDouble(item, "probability"),
                    (int?)GetInt64(item, "start"),
                    end is { } inclusive ? (int)inclusive + 1 : null));
            }

            position++;
        }

        return annotations;
    }
}

/// <summary>A topic X inferred for a tweet: a domain (the kind of topic) and an entity of it.</summary>
/// <param name="Position">The index in the API's <c>context_annotations</c> array.</param>
internal sealed record ContextAnnotation(
    int Position,
    string DomainId,
    string? DomainName,
    string? DomainDescription,
    string EntityId,
    string? EntityName,
    string? EntityDescription);

/// <summary>A named entity X found in the text.</summary>
/// <param name="Position">The index in the API's <c>annotations</c> array.</param>
/// <param name="End">The end offset in code points, exclusive: the API's inclusive end plus 1.</param>
internal sealed record EntityAnnotation(int Position, string Type, string? NormalizedText, double? Probability, int? Start, int? End);

/// <summary>The fields of a raw user object that only the Postgres writer stores.</summary>
/// <param name="ExpandedUrl">Where the profile link expands to: <c>entities.url.urls[0].expanded_url</c>.</param>
internal sealed record UserDetails(
    string? Url,
    string? ExpandedUrl,
    long? PinnedTweetId,
    long? MostRecentTweetId,
    string? ProfileBannerUrl,
    IReadOnlyList<string>? WithheldCountryCodes)
{
    /// <summary>Posts the user had liked when observed (<c>public_metrics.like_count</c>, in the newer API only).</summary>
    public long? LikeCount { get; init; }

    /// <summary>A user without any of these fields.</summary>
    public static UserDetails Empty { get; } = new(null, null, null, null, null, null);

    /// <summary>Reads the details of a raw user object.</summary>
    public static UserDetails Parse(JsonElement user)
    {
        var withheld = TweetDetails.Property(user, "withheld");
        var urls = TweetDetails.Property(TweetDetails.Property(TweetDetails.Property(user, "entities"), "url"), "urls");
        var firstUrl = urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0 ? urls[0] : default;
        var metrics = TweetDetails.Property(user, "public_metrics");

        return new UserDetails(
            TweetDetails.GetString(user, "url"),
            TweetDetails.GetString(firstUrl, "expanded_url"),
            TweetDetails.ParseId(TweetDetails.GetString(user, "pinned_tweet_id")),
            TweetDetails.ParseId(TweetDetails.GetString(user, "most_recent_tweet_id")),
            TweetDetails.GetString(user, "profile_banner_url"),
            TweetDetails.Property(withheld, "country_codes").ValueKind == JsonValueKind.Array
                ? TweetDetails.Strings(withheld, "country_codes")
                : null)
        {
            LikeCount = metrics.ValueKind == JsonValueKind.Object ? ApiJson.GetInt64(metrics, "like_count") : null,
        };
    }
}
