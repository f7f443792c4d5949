using Dapper;
using Npgsql;

namespace Pipeline.PostgresWriter;

/// <summary>The statements for media, places and polls: shared objects that tweets link to by key.</summary>
internal sealed partial class TweetStore
{
    // A newer or equally new observation replaces the row, so a later page's view count wins and
    // an older page's never does.
    private const string UpsertMedia = """
        insert into public.media as m (media_key, type, url, preview_image_url, width, height, duration_ms, alt_text,
                                       view_count, variants, observed_at, raw, first_stored_at, updated_at)
        select r.media_key, r.type, r.url, r.preview_image_url, r.width, r.height, r.duration_ms, r.alt_text,
               r.view_count, r.variants::jsonb, r.observed_at, r.raw::jsonb, @Now, @Now
          from unnest(@MediaKeys, @Types, @Urls, @PreviewImageUrls, @Widths, @Heights, @DurationsMs, @AltTexts,
                      @ViewCounts, @Variants, @ObservedAts, @Raws)
               as r (media_key, type, url, preview_image_url, width, height, duration_ms, alt_text,
                     view_count, variants, observed_at, raw)
        on conflict (media_key) do update
           set type = excluded.type,
               url = excluded.url,
               preview_image_url = excluded.preview_image_url,
               width = excluded.width,
               height = excluded.height,
               duration_ms = excluded.duration_ms,
               alt_text = excluded.alt_text,
               view_count = excluded.view_count,
               variants = excluded.variants,
               observed_at = excluded.observed_at,
               raw = excluded.raw,
               updated_at = excluded.updated_at
         where excluded.observed_at >= m.observed_at
        """;

    private const string UpsertPlaces = """
        insert into public.places as p (id, full_name, name, country, country_code, place_type, bbox, geo,
                                        observed_at, raw, first_stored_at, updated_at)
        select r.id, r.full_name, r.name, r.country, r.country_code, r.place_type, r.bbox::double precision[],
               r.geo::jsonb, r.observed_at, r.raw::jsonb, @Now, @Now
          from unnest(@Ids, @FullNames, @Names, @Countries, @CountryCodes, @PlaceTypes, @Bboxes, @Geos,
                      @ObservedAts, @Raws)
               as r (id, full_name, name, country, country_code, place_type, bbox, geo, observed_at, raw)
        on conflict (id) do update
           set full_name = excluded.full_name,
               name = excluded.name,
               country = excluded.country,
               country_code = excluded.country_code,
               place_type = excluded.place_type,
               bbox = excluded.bbox,
               geo = excluded.geo,
               observed_at = excluded.observed_at,
               raw = excluded.raw,
               updated_at = excluded.updated_at
         where excluded.observed_at >= p.observed_at
        """;

    // Returns the ids of the polls written, whose options are then replaced, so vote counts move
    // only forward in observation time.
    private const string UpsertPolls = """
        insert into public.polls as p (id, voting_status, end_datetime, duration_minutes, observed_at, raw,
                                       first_stored_at, updated_at)
        select r.id, r.voting_status, r.end_datetime, r.duration_minutes, r.observed_at, r.raw::jsonb, @Now, @Now
          from unnest(@Ids, @VotingStatuses, @EndDatetimes, @DurationsMinutes, @ObservedAts, @Raws)
               as r (id, voting_status, end_datetime, duration_minutes, observed_at, raw)
        on conflict (id) do update
           set voting_status = excluded.voting_status,
               end_datetime = excluded.end_datetime,
               duration_minutes = excluded.duration_minutes,
               observed_at = excluded.observed_at,
               raw = excluded.raw,
               updated_at = excluded.updated_at
         where excluded.observed_at >= p.observed_at
        returning p.id
        """;

    private const string ReplacePollOptions = """
        delete from public.poll_options where poll_id = any (@PollIds);

        insert into public.poll_options (poll_id, position, label, votes)
        select r.poll_id, r.position, r.label, r.votes
          from unnest(@OptionPollIds, @OptionPositions, @OptionLabels, @OptionVotes) as r (poll_id, position, label, votes);
        """;

    private static async Task WriteMediaPlacesPollsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, TweetBatch batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var media = batch.Media;
        if (media.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertMedia, MediaParameters(media, now), transaction, cancellationToken: cancellationToken));
        }

        var places = batch.Places;
        if (places.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertPlaces, PlaceParameters(places, now), transaction, cancellationToken: cancellationToken));
        }

        var polls = batch.Polls;
        if (polls.Count > 0)
        {
            var writtenPollIds = (await connection.QueryAsync<long>(new CommandDefinition(UpsertPolls, PollParameters(polls, now), transaction, cancellationToken: cancellationToken))).ToHashSet();
            if (writtenPollIds.Count > 0)
            {
                var written = polls.Where(p => writtenPollIds.Contains(p.Id)).ToList();
                await connection.ExecuteAsync(new CommandDefinition(ReplacePollOptions, PollOptionParameters(written), transaction, cancellationToken: cancellationToken));
            }
        }
    }

    private static object MediaParameters(IReadOnlyList<MediaObservation> media, DateTimeOffset now) => new
    {
        Now = now,
        MediaKeys = media.Select(m => m.MediaKey).ToArray(),
        Types = media.Select(m => m.Type).ToArray(),
        Urls = media.Select(m => m.Url).ToArray(),
        PreviewImageUrls = media.Select(m => m.PreviewImageUrl).ToArray(),
        Widths = media.Select(m => m.Width).ToArray(),
        Heights = media.Select(m => m.Height).ToArray(),
        DurationsMs = media.Select(m => m.DurationMs).ToArray(),
        AltTexts = media.Select(m => m.AltText).ToArray(),
        ViewCounts = media.Select(m => m.ViewCount).ToArray(),
        Variants = media.Select(m => m.VariantsJson).ToArray(),
        ObservedAts = media.Select(m => m.ObservedAt).ToArray(),
        Raws = media.Select(m => m.Json).ToArray(),
    };

    private static object PlaceParameters(IReadOnlyList<PlaceObservation> places, DateTimeOffset now) => new
    {
        Now = now,
        Ids = places.Select(p => p.Id).ToArray(),
        FullNames = places.Select(p => p.FullName).ToArray(),
        Names = places.Select(p => p.Name).ToArray(),
        Countries = places.Select(p => p.Country).ToArray(),
        CountryCodes = places.Select(p => p.CountryCode).ToArray(),
        PlaceTypes = places.Select(p => p.PlaceType).ToArray(),
        // A double[] per row cannot travel inside another array, so each goes as its array literal.
        Bboxes = places.Select(p => p.Bbox is null ? null : "{" + string.Join(',', p.Bbox.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "}").ToArray(),
        Geos = places.Select(p => p.GeoJson).ToArray(),
        ObservedAts = places.Select(p => p.ObservedAt).ToArray(),
        Raws = places.Select(p => p.Json).ToArray(),
    };

    private static object PollParameters(IReadOnlyList<PollObservation> polls, DateTimeOffset now) => new
    {
        Now = now,
        Ids = polls.Select(p => p.Id).ToArray(),
        VotingStatuses = polls.Select(p => p.VotingStatus).ToArray(),
        EndDatetimes = polls.Select(p => p.EndDatetime).ToArray(),
        DurationsMinutes = polls.Select(p => p.DurationMinutes).ToArray(),
        ObservedAts = polls.Select(p => p.ObservedAt).ToArray(),
        Raws = polls.Select(p => p.Json).ToArray(),
    };

    private static object PollOptionParameters(IReadOnlyList<PollObservation> polls)
    {
        var options = polls.SelectMany(p => p.Options.Select(o => (PollId: p.Id, Option: o))).ToList();
        return new
        {
            PollIds = polls.Select(p => p.Id).ToArray(),
            OptionPollIds = options.Select(o => o.PollId).ToArray(),
            OptionPositions = options.Select(o => o.Option.Position).ToArray(),
            OptionLabels = options.Select(o => o.Option.Label).ToArray(),
            OptionVotes = options.Select(o => o.Option.Votes).ToArray(),
        };
    }
}
