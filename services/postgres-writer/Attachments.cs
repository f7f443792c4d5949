using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.PostgresWriter;

/// <summary>One version of a media object (photo, video or animated GIF) as a page delivered it.</summary>
/// <param name="MediaKey">The API's key, such as <c>3_1440653504532549633</c>.</param>
/// <param name="VariantsJson">The JSON text of the <c>variants</c> array, or null when the object has none.</param>
/// <param name="Json">The media object's JSON text, stored in <c>media.raw</c>.</param>
/// <param name="ObservedAt">When the collector read the page.</param>
internal sealed record MediaObservation(
    string MediaKey,
    string Type,
    string? Url,
    string? PreviewImageUrl,
    int? Width,
    int? Height,
    long? DurationMs,
    string? AltText,
    long? ViewCount,
    string? VariantsJson,
    string Json,
    DateTimeOffset ObservedAt)
{
    /// <summary>Reads a raw media object; returns null when it has no media key or type, because neither can be stored then.</summary>
    public static MediaObservation? Parse(JsonElement media, string json, DateTimeOffset observedAt)
    {
        if (TweetDetails.GetString(media, "media_key") is not { } key || TweetDetails.GetString(media, "type") is not { } type)
        {
            return null;
        }

        var variants = TweetDetails.Property(media, "variants");
        return new MediaObservation(
            key,
            type,
            TweetDetails.GetString(media, "url"),
            TweetDetails.GetString(media, "preview_image_url"),
            (int?)TweetDetails.GetInt64(media, "width"),
            (int?)TweetDetails.GetInt64(media, "height"),
            TweetDetails.GetInt64(media, "duration_ms"),
            TweetDetails.GetString(media, "alt_text"),
            TweetDetails.GetInt64(TweetDetails.Property(media, "public_metrics"), "view_count"),
            variants.ValueKind == JsonValueKind.Array ? variants.GetRawText() : null,
            json,
            observedAt);
    }
}

/// <summary>One version of a place object as a page delivered it.</summary>
/// <param name="Bbox">The GeoJSON bounding box <c>geo.bbox</c>: west, south, east, north in degrees.</param>
/// <param name="GeoJson">The JSON text of <c>geo</c>, or null when the object has none.</param>
/// <param name="Json">The place object's JSON text, stored in <c>places.raw</c>.</param>
internal sealed record PlaceObservation(
    string Id,
    string? FullName,
    string? Name,
    string? Country,
    string? CountryCode,
    string? PlaceType,
    double[]? Bbox,
    string? GeoJson,
    string Json,
    DateTimeOffset ObservedAt)
{
    /// <summary>Reads a raw place object; returns null when it has no id.</summary>
    public static PlaceObservation? Parse(JsonElement place, string json, DateTimeOffset observedAt)
    {
        if (TweetDetails.GetString(place, "id") is not { } id)
        {
            return null;
        }

        var geo = TweetDetails.Property(place, "geo");
        var bbox = TweetDetails.Property(geo, "bbox");
        double[]? box = bbox.ValueKind == JsonValueKind.Array && bbox.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number)
            ? [.. bbox.EnumerateArray().Select(v => v.GetDouble())]
            : null;

        return new PlaceObservation(
            id,
            TweetDetails.GetString(place, "full_name"),
            TweetDetails.GetString(place, "name"),
            TweetDetails.GetString(place, "country"),
            TweetDetails.GetString(place, "country_code"),
            TweetDetails.GetString(place, "place_type"),
            box,
            geo.ValueKind == JsonValueKind.Object ? geo.GetRawText() : null,
            json,
            observedAt);
    }
}

/// <summary>One version of a poll object, with its vote counts, as a page delivered it.</summary>
/// <param name="Json">The poll object's JSON text, stored in <c>polls.raw</c>.</param>
internal sealed record PollObservation(
    long Id,
    string? VotingStatus,
    DateTimeOffset? EndDatetime,
    int? DurationMinutes,
    IReadOnlyList<PollOption> Options,
    string Json,
    DateTimeOffset ObservedAt)
{
    /// <summary>Reads a raw poll object; returns null when its id is missing or not a decimal id.</summary>
    public static PollObservation? Parse(JsonElement poll, string json, DateTimeOffset observedAt)
    {
        if (TweetDetails.ParseId(TweetDetails.GetString(poll, "id")) is not { } id)
        {
            return null;
        }

        var options = new List<PollOption>();
        var array = TweetDetails.Property(poll, "options");
        if (array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (TweetDetails.GetInt64(item, "position") is { } position && TweetDetails.GetString(item, "label") is { } label)
                {
                    options.Add(new PollOption((int)position, label, TweetDetails.GetInt64(item, "votes")));
                }
            }
        }

        // The API numbers each choice once, so a repeated position is dropped rather than failing the insert.
        options = [.. options.DistinctBy(o => o.Position)];

        DateTimeOffset? end = null;
        if (TweetDetails.GetString(poll, "end_datetime") is { } text)
        {
            try
            {
                end = ApiJson.ParseTimestamp(text);
            }
            catch (FormatException)
            {
                // An unreadable end time is stored as missing, and raw keeps the text.
            }
        }

        return new PollObservation(
            id,
            TweetDetails.GetString(poll, "voting_status"),
            end,
            (int?)TweetDetails.GetInt64(poll, "duration_minutes"),
            options,
            json,
            observedAt);
    }
}

/// <summary>A choice of a poll.</summary>
/// <param name="Position">The choice's position as the API numbers it, from 1.</param>
/// <param name="Votes">Votes for the choice when the page was read.</param>
internal sealed record PollOption(int Position, string Label, long? Votes);
