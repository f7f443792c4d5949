using System.Text.Json;
using Pipeline.Core.Tweets;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>The columns and tables of migration 0004, filled from recorded API pages and checked against their JSON.</summary>
[Collection(UsesPostgres.Name)]
public sealed class TweetDetailsTests(PostgresFixture fixture)
{
    private const string Brexit = "docnow-twarc-csv/brexit.jsonl";
    private const string Geo = "docnow-twarc-csv/geo_tweets.jsonl";
    private const string MediaTweet = "docnow-twarc-csv/media_tweet.jsonl";

    [Fact]
    public async Task Handle_BrexitPage_StoresContextAnnotations()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        var rows = await database.QueryAsync<(long TweetId, int Position, string DomainId, string DomainName, string DomainDescription, string EntityId, string EntityName, string EntityDescription)>(
            """
            select tweet_id, position, domain_id, domain_name, domain_description, entity_id, entity_name, entity_description
              from public.context_annotations
             where tweet_id = any (@Ids)
             order by tweet_id, position
            """,
            new { Ids = envelopes.Select(e => long.Parse(e.Id)).ToArray() });
        var expected = envelopes
            .Where(e => e.Tweet.TryGetProperty("context_annotations", out _))
            .SelectMany(e => e.Tweet.GetProperty("context_annotations").EnumerateArray().Select((a, i) => (
                TweetId: long.Parse(e.Id),
                Position: i,
                DomainId: a.GetProperty("domain").GetProperty("id").GetString()!,
                DomainName: a.GetProperty("domain").GetProperty("name").GetString()!,
                DomainDescription: a.GetProperty("domain").TryGetProperty("description", out var dd) ? dd.GetString()! : null!,
                EntityId: a.GetProperty("entity").GetProperty("id").GetString()!,
                EntityName: a.GetProperty("entity").GetProperty("name").GetString()!,
                EntityDescription: a.GetProperty("entity").TryGetProperty("description", out var ed) ? ed.GetString()! : null!)))
            .OrderBy(r => r.TweetId).ThenBy(r => r.Position)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, rows);
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresEntityAnnotations()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        var rows = await database.QueryAsync<(long TweetId, int Position, string Type, string NormalizedText, double Probability, int Start, int End, string Span)>(
            """
            select a.tweet_id, a.position, a.type, a.normalized_text, a.probability, a.start, a."end",
                   substr(t.full_text, a.start + 1, a."end" - a.start)
              from public.entity_annotations a
              join public.tweets t on t.id = a.tweet_id
             where not t.referenced_only
             order by a.tweet_id, a.position
            """);
        var expected = envelopes
            .Where(e => e.Tweet.TryGetProperty("entities", out var entities) && entities.TryGetProperty("annotations", out _))
            .SelectMany(e => e.Tweet.GetProperty("entities").GetProperty("annotations").EnumerateArray().Select((a, i) => (
                TweetId: long.Parse(e.Id),
                Position: i,
                Type: a.GetProperty("type").GetString()!,
                NormalizedText: a.GetProperty("normalized_text").GetString()!,
                Probability: a.GetProperty("probability").GetDouble(),
                Start: a.GetProperty("start").GetInt32(),
                // The API's end is inclusive, but the table's is exclusive like the other entity tables.
                End: a.GetProperty("end").GetInt32() + 1)))
            .OrderBy(r => r.TweetId).ThenBy(r => r.Position)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, rows.Select(r => (r.TweetId, r.Position, r.Type, r.NormalizedText, r.Probability, r.Start, r.End)).ToList());

        // X normalizes some annotations (case, spacing), so the span is compared without them.
        var matching = rows.Count(r => string.Equals(r.Span, r.NormalizedText, StringComparison.OrdinalIgnoreCase));
        Assert.True(matching >= rows.Count * 9 / 10, $"Only {matching} of {rows.Count} annotation spans match their normalized text.");
    }

    [Fact]
    public async Task Handle_GeoPage_StoresCoordinatesAndPlace()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Geo);

        await database.HandleAsync(envelopes.ToMessages());

        // geo_tweets.jsonl: 1249702384659554308 shares a point [longitude, latitude], 1501963039859363843 a place.
        var point = Assert.Single(await database.QueryAsync<(double? Longitude, double? Latitude, string? PlaceId)>(
            "select longitude, latitude, place_id from public.tweets where id = 1249702384659554308"));
        Assert.Equal(42.77810097, point.Longitude);
        Assert.Equal(88.01785747, point.Latitude);
        Assert.Null(point.PlaceId);

        var tagged = Assert.Single(await database.QueryAsync<(double? Longitude, string? PlaceId)>(
            "select longitude, place_id from public.tweets where id = 1501963039859363843"));
        Assert.Null(tagged.Longitude);
        Assert.Equal("3078869807f9dd36", tagged.PlaceId);

        var place = Assert.Single(await database.QueryAsync<(string Id, string FullName, string Name, string Country, string CountryCode, string PlaceType, double[] Bbox, string GeoType)>(
            "select id, full_name, name, country, country_code, place_type, bbox, geo ->> 'type' from public.places"));
        Assert.Equal(("3078869807f9dd36", "Berlin, Germany", "Berlin", "Germany", "DE", "city"), (place.Id, place.FullName, place.Name, place.Country, place.CountryCode, place.PlaceType));
        Assert.Equal([13.088304, 52.338079, 13.760909, 52.675323], place.Bbox);
        Assert.Equal("Feature", place.GeoType);
    }

    [Fact]
    public async Task Handle_MediaTweet_StoresVideoAndLink()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelope = Assert.Single(Envelopes.FromRecordedPages(MediaTweet));
        var source = Assert.Single(envelope.Media);

        await database.HandleAsync(Envelopes.Messages(1, envelope));

        var link = Assert.Single(await database.QueryAsync<(long TweetId, int Position, string MediaKey)>("select tweet_id, position, media_key from public.tweet_media"));
        Assert.Equal((1558553189766631429L, 0, "7_1558552952549277696"), link);

        var row = Assert.Single(await database.QueryAsync<(string MediaKey, string Type, string? PreviewImageUrl, int? Width, int? Height, long? DurationMs, long? ViewCount, int VariantCount)>(
            "select media_key, type, preview_image_url, width, height, duration_ms, view_count, jsonb_array_length(variants) from public.media"));
        Assert.Equal(source.GetProperty("media_key").GetString(), row.MediaKey);
        Assert.Equal("video", row.Type);
        Assert.Equal(source.GetProperty("preview_image_url").GetString(), row.PreviewImageUrl);
        Assert.Equal(source.GetProperty("width").GetInt32(), row.Width);
        Assert.Equal(source.GetProperty("height").GetInt32(), row.Height);
        Assert.Equal(source.GetProperty("duration_ms").GetInt64(), row.DurationMs);
        Assert.Equal(source.GetProperty("public_metrics").GetProperty("view_count").GetInt64(), row.ViewCount);
        Assert.Equal(source.GetProperty("variants").GetArrayLength(), row.VariantCount);
    }

    [Theory]
    [InlineData(MediaTweet)]
    [InlineData("docnow-twarc-csv/edited.jsonl")]
    public async Task Handle_RecordedTweet_StoresEditControls(string page)
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelope = Assert.Single(Envelopes.FromRecordedPages(page));
        var source = envelope.Tweet.GetProperty("edit_controls");

        await database.HandleAsync(Envelopes.Messages(1, envelope));

        var row = Assert.Single(await database.QueryAsync<(bool? IsEditEligible, DateTime? EditableUntil, int? EditsRemaining)>(
            "select is_edit_eligible, editable_until, edits_remaining from public.tweets"));
        Assert.Equal(source.GetProperty("is_edit_eligible").GetBoolean(), row.IsEditEligible);
        Assert.Equal(DateTimeOffset.Parse(source.GetProperty("editable_until").GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime, row.EditableUntil);
        // media_tweet.jsonl writes edits_remaining as a number, edited.jsonl as a string.
        Assert.Equal(int.Parse(source.GetProperty("edits_remaining").GetRawText().Trim('"'), System.Globalization.CultureInfo.InvariantCulture), row.EditsRemaining);
    }

    [Fact]
    public async Task Handle_CommunityAndUserLikes_AreStored()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        // Shapes of the X API v2 OpenAPI Tweet.community_id and User.public_metrics.like_count,
        // which the recorded pages predate.
        var envelope = Envelopes.FromTweet(
            """{"id": "22", "text": "in a community", "author_id": "23", "community_id": "1471580197908586507"}""",
            """{"id": "23", "username": "c", "name": "C", "public_metrics": {"followers_count": 1, "following_count": 2, "tweet_count": 3, "listed_count": 4, "like_count": 5}}""");

        await database.HandleAsync(Envelopes.Messages(1, envelope));

        Assert.Equal(1471580197908586507L, await database.ScalarAsync<long>("select community_id from public.tweets"));
        Assert.Equal(5, await database.ScalarAsync<long>("select like_count from public.users"));
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresPhotosInOrder()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        // 1440713966649417731 has three photos.
        var keys = await database.QueryAsync<string>("select media_key from public.tweet_media where tweet_id = 1440713966649417731 order by position");
        Assert.Equal(["3_1440713949926727682", "3_1440713956016865284", "3_1440713962400612368"], keys);

        var photos = await database.QueryAsync<(string MediaKey, string Type, string Url, int Width, int Height)>(
            "select media_key, type, url, width, height from public.media where type = 'photo' order by media_key");
        var expected = envelopes.SelectMany(e => e.Media)
            .Where(m => m.GetProperty("type").GetString() == "photo")
            .Select(m => (m.GetProperty("media_key").GetString()!, "photo", m.GetProperty("url").GetString()!, m.GetProperty("width").GetInt32(), m.GetProperty("height").GetInt32()))
            .DistinctBy(m => m.Item1)
            .OrderBy(m => m.Item1, StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, photos);
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresPollWithOptions()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        Assert.Equal(1440382209790132235L, await database.ScalarAsync<long>("select poll_id from public.tweets where id = 1440715451575668748"));
        var poll = Assert.Single(await database.QueryAsync<(long Id, string VotingStatus, DateTime EndDatetime, int DurationMinutes)>(
            "select id, voting_status, end_datetime, duration_minutes from public.polls"));
        Assert.Equal((1440382209790132235L, "open", new DateTime(2021, 9, 22, 18, 27, 34, DateTimeKind.Utc), 1440), poll);

        var options = await database.QueryAsync<(int Position, string Label, long Votes)>("select position, label, votes from public.poll_options order by position");
        Assert.Equal([(1, "Yes I do", 60L), (2, "No I don\u2019t", 185L), (3, "Don\u2019t know", 24L)], options);
    }

    [Fact]
    public async Task Handle_BrexitPage_StoresUserProfileFields()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);
        var envelopes = Envelopes.FromRecordedPages(Brexit);

        await database.HandleAsync(envelopes.ToMessages());

        var rows = (await database.QueryAsync<(long Id, string? Url, string? ExpandedUrl, long? PinnedTweetId)>(
                "select id, url, expanded_url, pinned_tweet_id from public.users"))
            .ToDictionary(r => r.Id);
        var authors = envelopes.Select(e => e.Author).OfType<JsonElement>().DistinctBy(a => a.GetProperty("id").GetString()).ToList();
        Assert.Contains(authors, a => a.TryGetProperty("pinned_tweet_id", out _));
        Assert.Contains(authors, a => a.TryGetProperty("entities", out var entities) && entities.TryGetProperty("url", out _));
        foreach (var author in authors)
        {
            var row = rows[long.Parse(author.GetProperty("id").GetString()!)];
            Assert.Equal(ApiJson.GetString(author, "url"), row.Url);
            Assert.Equal(ApiJson.GetId(author, "pinned_tweet_id"), row.PinnedTweetId);
            var expanded = author.TryGetProperty("entities", out var entities) && entities.TryGetProperty("url", out var url)
                ? url.GetProperty("urls")[0].GetProperty("expanded_url").GetString()
                : null;
            Assert.Equal(expanded, row.ExpandedUrl);
        }
    }

    [Fact]
    public async Task Handle_WithheldTweetAndUser_StoresCountries()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        // The recorded pages hold no withheld content, so this tweet and user have the shape of
        // the X API v2 OpenAPI schemas TweetWithheld and UserWithheld.
        var envelope = Envelopes.FromTweet(
            """{"id": "20", "text": "withheld", "author_id": "21", "withheld": {"copyright": true, "country_codes": ["DE", "FR"]}}""",
            """{"id": "21", "username": "w", "name": "W", "withheld": {"country_codes": ["TR"], "scope": "user"}}""");

        await database.HandleAsync(Envelopes.Messages(1, envelope));

        var tweet = Assert.Single(await database.QueryAsync<(string[] Countries, bool Copyright)>("select withheld_country_codes, withheld_copyright from public.tweets"));
        Assert.Equal(["DE", "FR"], tweet.Countries);
        Assert.True(tweet.Copyright);
        Assert.Equal(["TR"], await database.ScalarAsync<string[]>("select withheld_country_codes from public.users"));
    }

    [Fact]
    public async Task Handle_TweetWithoutDetails_LeavesColumnsNull()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, Envelopes.FromTweet("""{"id": "30", "text": "plain"}""")));

        var row = Assert.Single(await database.QueryAsync<(string[]? Countries, bool? Copyright, string? PlaceId, double? Longitude, long? PollId)>(
            "select withheld_country_codes, withheld_copyright, place_id, longitude, poll_id from public.tweets"));
        Assert.Equal((null, null, null, null, null), row);
    }
}

/// <summary>Media view counts and poll votes: a newer observation replaces them, an older one never does.</summary>
[Collection(UsesPostgres.Name)]
public sealed class ObservationOrderTests(PostgresFixture fixture)
{
    private static readonly DateTimeOffset Noon = new(2022, 8, 14, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Handle_OlderMediaObservation_KeepsNewerViewCount()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, WithVideo(views: 100, Noon)));
        await database.HandleAsync(Envelopes.Messages(2, WithVideo(views: 50, Noon.AddHours(-1))));

        Assert.Equal(100, await database.ScalarAsync<long>("select view_count from public.media"));
    }

    [Fact]
    public async Task Handle_NewerMediaObservation_ReplacesViewCount()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, WithVideo(views: 100, Noon)));
        await database.HandleAsync(Envelopes.Messages(2, WithVideo(views: 250, Noon.AddHours(1))));

        Assert.Equal(250, await database.ScalarAsync<long>("select view_count from public.media"));
        Assert.Equal(Noon.AddHours(1).UtcDateTime, await database.ScalarAsync<DateTime>("select observed_at from public.media"));
    }

    [Fact]
    public async Task Handle_OlderPollObservation_KeepsNewerVotes()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, WithPoll(yes: 60, status: "closed", Noon)));
        await database.HandleAsync(Envelopes.Messages(2, WithPoll(yes: 10, status: "open", Noon.AddHours(-1))));

        Assert.Equal(60, await database.ScalarAsync<long>("select votes from public.poll_options where position = 1"));
        Assert.Equal("closed", await database.ScalarAsync<string>("select voting_status from public.polls"));
    }

    [Fact]
    public async Task Handle_NewerPollObservation_ReplacesVotes()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, WithPoll(yes: 60, status: "open", Noon)));
        await database.HandleAsync(Envelopes.Messages(2, WithPoll(yes: 75, status: "closed", Noon.AddHours(1))));

        Assert.Equal(75, await database.ScalarAsync<long>("select votes from public.poll_options where position = 1"));
        Assert.Equal(2, await database.ScalarAsync<long>("select count(*) from public.poll_options"));
        Assert.Equal("closed", await database.ScalarAsync<string>("select voting_status from public.polls"));
    }

    [Fact]
    public async Task Handle_OneBatchTwoObservations_StoresNewest()
    {
        await using var database = await WriterDatabase.CreateAsync(fixture);

        await database.HandleAsync(Envelopes.Messages(1, WithVideo(views: 300, Noon.AddHours(2)), WithVideo(views: 100, Noon)));

        Assert.Equal(300, await database.ScalarAsync<long>("select view_count from public.media"));
    }

    private static TweetEnvelope WithVideo(long views, DateTimeOffset collectedAt)
    {
        var envelope = Envelopes.FromTweet("""{"id": "40", "text": "video", "attachments": {"media_keys": ["7_40"]}}""", collectedAt: collectedAt);
        var media = $$$"""{"media_key": "7_40", "type": "video", "duration_ms": 5000, "public_metrics": {"view_count": {{{views}}}}}""";
        return envelope with { Media = [Json(media)] };
    }

    private static TweetEnvelope WithPoll(long yes, string status, DateTimeOffset collectedAt)
    {
        var envelope = Envelopes.FromTweet("""{"id": "41", "text": "poll", "attachments": {"poll_ids": ["4100"]}}""", collectedAt: collectedAt);
        var poll = $$"""{"id": "4100", "voting_status": "{{status}}", "duration_minutes": 60, "options": [{"position": 1, "label": "yes", "votes": {{yes}}}, {"position": 2, "label": "no", "votes": 5}]}""";
        return envelope with { Polls = [Json(poll)] };
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
