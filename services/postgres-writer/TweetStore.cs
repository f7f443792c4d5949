using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Core.Tweets;
using Pipeline.PostgresWriter.Sentiment;

namespace Pipeline.PostgresWriter;

/// <summary>
/// Writes a <see cref="TweetBatch"/> to the tables of <c>deploy/postgres/migrations/tweets</c>:
/// the whole batch in one transaction under the <c>tweets_writer</c> role, each table with one
/// set-based statement over parameter arrays, so a batch takes a fixed number of commands and a
/// commit whatever its size. Every SQL statement of the writer, including those of the sentiment
/// rescore, is in this class (TweetStore*.cs).
/// </summary>
internal sealed partial class TweetStore(
    NpgsqlDataSource dataSource,
    TimeProvider timeProvider,
    TweetSentimentScorer sentimentScorer,
    IOptions<DeletionOptions> deletionOptions)
{
    // The role of 0006_roles.sql. It may change only the tweet tables, so a statement that writes
    // anywhere else fails. The queue acknowledgement runs on the consumer's own connection.
    private const string SetWriterRole = "set local role tweets_writer";

    // A newer or equally new observation replaces the row. An older one changes nothing.
    private const string UpsertUsers = """
        insert into public.users as u (id, username, name, created_at, description, location, verified, verified_type,
                                       protected, profile_image_url, followers_count, following_count, tweet_count,
                                       listed_count, observed_at, raw, first_stored_at, updated_at, url, expanded_url,
                                       pinned_tweet_id, most_recent_tweet_id, profile_banner_url, withheld_country_codes,
                                       like_count)
        select r.id, r.username, r.name, r.created_at, r.description, r.location, r.verified, r.verified_type,
               r.protected, r.profile_image_url, r.followers_count, r.following_count, r.tweet_count,
               r.listed_count, r.observed_at, r.raw::jsonb, @Now, @Now, r.url, r.expanded_url,
               r.pinned_tweet_id, r.most_recent_tweet_id, r.profile_banner_url, r.withheld_country_codes::text[],
               r.like_count
          from unnest(@Ids, @Usernames, @Names, @CreatedAts, @Descriptions, @Locations, @Verified, @VerifiedTypes,
                      @Protected, @ProfileImageUrls, @FollowersCounts, @FollowingCounts, @TweetCounts,
                      @ListedCounts, @ObservedAts, @Raws, @Urls, @ExpandedUrls, @PinnedTweetIds,
                      @MostRecentTweetIds, @ProfileBannerUrls, @WithheldCountryCodes, @UserLikeCounts)
               as r (id, username, name, created_at, description, location, verified, verified_type,
                     protected, profile_image_url, followers_count, following_count, tweet_count,
                     listed_count, observed_at, raw, url, expanded_url, pinned_tweet_id, most_recent_tweet_id,
                     profile_banner_url, withheld_country_codes, like_count)
        on conflict (id) do update
           set username = excluded.username,
               name = excluded.name,
               created_at = excluded.created_at,
               description = excluded.description,
               location = excluded.location,
               verified = excluded.verified,
               verified_type = excluded.verified_type,
               protected = excluded.protected,
               profile_image_url = excluded.profile_image_url,
               followers_count = excluded.followers_count,
               following_count = excluded.following_count,
               tweet_count = excluded.tweet_count,
               listed_count = excluded.listed_count,
               url = excluded.url,
               expanded_url = excluded.expanded_url,
               pinned_tweet_id = excluded.pinned_tweet_id,
               most_recent_tweet_id = excluded.most_recent_tweet_id,
               profile_banner_url = excluded.profile_banner_url,
               withheld_country_codes = excluded.withheld_country_codes,
               like_count = excluded.like_count,
               observed_at = excluded.observed_at,
               raw = excluded.raw,
               updated_at = excluded.updated_at
         where excluded.observed_at >= u.observed_at
        """;

    // A newer or equally new observation replaces the row. A tweet's own message also replaces a
    // row that only a referenced copy wrote, even when the copy was collected later, but it never
    // puts older metrics over newer ones. In remove mode (@SkipTombstoned) a tweet with a
    // tombstone is not stored at all. Returns the ids of the rows written.
    private const string UpsertTweets = """
        insert into public.tweets as t (id, author_id, text, full_text, created_at, lang, source, conversation_id,
                                        in_reply_to_user_id, reply_settings, possibly_sensitive, retweet_count,
                                        reply_count, like_count, quote_count, impression_count, bookmark_count,
                                        metrics_observed_at, edit_history_ids, raw, referenced_only, collected_at,
                                        first_stored_at, updated_at, withheld_country_codes, withheld_copyright,
                                        place_id, longitude, latitude, poll_id, community_id, is_edit_eligible,
                                        editable_until, edits_remaining)
        select r.id, r.author_id, r.text, r.full_text, r.created_at, r.lang, r.source, r.conversation_id,
               r.in_reply_to_user_id, r.reply_settings, r.possibly_sensitive, r.retweet_count,
               r.reply_count, r.like_count, r.quote_count, r.impression_count, r.bookmark_count,
               r.collected_at, r.edit_history_ids::bigint[], r.raw::jsonb, r.referenced_only, r.collected_at,
               @Now, @Now, r.withheld_country_codes::text[], r.withheld_copyright,
               r.place_id, r.longitude, r.latitude, r.poll_id, r.community_id, r.is_edit_eligible,
               r.editable_until, r.edits_remaining
          from unnest(@Ids, @AuthorIds, @Texts, @FullTexts, @CreatedAts, @Langs, @Sources, @ConversationIds,
                      @InReplyToUserIds, @ReplySettings, @PossiblySensitive, @RetweetCounts,
                      @ReplyCounts, @LikeCounts, @QuoteCounts, @ImpressionCounts, @BookmarkCounts,
                      @EditHistoryIds, @Raws, @ReferencedOnly, @CollectedAts, @WithheldCountryCodes,
                      @WithheldCopyright, @PlaceIds, @Longitudes, @Latitudes, @PollIds, @CommunityIds,
                      @IsEditEligible, @EditableUntils, @EditsRemaining)
               as r (id, author_id, text, full_text, created_at, lang, source, conversation_id,
                     in_reply_to_user_id, reply_settings, possibly_sensitive, retweet_count,
                     reply_count, like_count, quote_count, impression_count, bookmark_count,
                     edit_history_ids, raw, referenced_only, collected_at, withheld_country_codes,
                     withheld_copyright, place_id, longitude, latitude, poll_id, community_id,
                     is_edit_eligible, editable_until, edits_remaining)
         where not (@SkipTombstoned and exists (select 1 from public.deleted_tweets d where d.id = r.id))
        on conflict (id) do update
           set author_id = excluded.author_id,
               text = excluded.text,
               full_text = excluded.full_text,
               created_at = excluded.created_at,
               lang = excluded.lang,
               source = excluded.source,
               conversation_id = excluded.conversation_id,
               in_reply_to_user_id = excluded.in_reply_to_user_id,
               reply_settings = excluded.reply_settings,
               possibly_sensitive = excluded.possibly_sensitive,
               withheld_country_codes = excluded.withheld_country_codes,
               withheld_copyright = excluded.withheld_copyright,
               place_id = excluded.place_id,
               longitude = excluded.longitude,
               latitude = excluded.latitude,
               poll_id = excluded.poll_id,
               community_id = excluded.community_id,
               is_edit_eligible = excluded.is_edit_eligible,
               editable_until = excluded.editable_until,
               edits_remaining = excluded.edits_remaining,
               retweet_count = case when excluded.metrics_observed_at >= t.metrics_observed_at then excluded.retweet_count else t.retweet_count end,
               reply_count = case when excluded.metrics_observed_at >= t.metrics_observed_at then excluded.reply_count else t.reply_count end,
               like_count = case when excluded.metrics_observed_at >= t.metrics_observed_at then excluded.like_count else t.like_count end,
               quote_count = case when excluded.metrics_observed_at >= t.metrics_observed_at then excluded.quote_count else t.quote_count end,
               impression_count = case when excluded.metrics_observed_at >= t.metrics_observed_at then excluded.impression_count else t.impression_count end,
               bookmark_count = case when excluded.metrics_observed_at >= t.metrics_observed_at then excluded.bookmark_count else t.bookmark_count end,
               metrics_observed_at = greatest(excluded.metrics_observed_at, t.metrics_observed_at),
               edit_history_ids = excluded.edit_history_ids,
               raw = excluded.raw,
               referenced_only = excluded.referenced_only and t.referenced_only,
               collected_at = greatest(excluded.collected_at, t.collected_at),
               updated_at = excluded.updated_at
         where excluded.collected_at >= t.collected_at
            or (t.referenced_only and not excluded.referenced_only)
        returning t.id
        """;

    // Entity rows belong to the stored version of a tweet, so they are replaced whenever the
    // tweet row was written.
    private const string ReplaceEntities = """
        delete from public.hashtags where tweet_id = any (@TweetIds);
        delete from public.cashtags where tweet_id = any (@TweetIds);
        delete from public.mentions where tweet_id = any (@TweetIds);
        delete from public.urls where tweet_id = any (@TweetIds);
        delete from public.referenced_tweets where tweet_id = any (@TweetIds);
        delete from public.context_annotations where tweet_id = any (@TweetIds);
        delete from public.entity_annotations where tweet_id = any (@TweetIds);
        delete from public.tweet_media where tweet_id = any (@TweetIds);

        insert into public.hashtags (tweet_id, position, tag, start, "end")
        select r.tweet_id, r.position, r.tag, r.start, r."end"
          from unnest(@HashtagTweetIds, @HashtagPositions, @HashtagTags, @HashtagStarts, @HashtagEnds)
               as r (tweet_id, position, tag, start, "end");

        insert into public.cashtags (tweet_id, position, tag, start, "end")
        select r.tweet_id, r.position, r.tag, r.start, r."end"
          from unnest(@CashtagTweetIds, @CashtagPositions, @CashtagTags, @CashtagStarts, @CashtagEnds)
               as r (tweet_id, position, tag, start, "end");

        insert into public.mentions (tweet_id, position, user_id, username, start, "end")
        select r.tweet_id, r.position, r.user_id, r.username, r.start, r."end"
          from unnest(@MentionTweetIds, @MentionPositions, @MentionUserIds, @MentionUsernames, @MentionStarts, @MentionEnds)
               as r (tweet_id, position, user_id, username, start, "end");

        insert into public.urls (tweet_id, position, url, expanded_url, display_url, unwound_url, title, start, "end")
        select r.tweet_id, r.position, r.url, r.expanded_url, r.display_url, r.unwound_url, r.title, r.start, r."end"
          from unnest(@UrlTweetIds, @UrlPositions, @Urls, @UrlExpandedUrls, @UrlDisplayUrls, @UrlUnwoundUrls,
                      @UrlTitles, @UrlStarts, @UrlEnds)
               as r (tweet_id, position, url, expanded_url, display_url, unwound_url, title, start, "end");

        -- The API lists each link once; a repeated one is stored once.
        insert into public.referenced_tweets (tweet_id, referenced_id, type)
        select r.tweet_id, r.referenced_id, r.type
          from unnest(@ReferenceTweetIds, @ReferencedIds, @ReferenceTypes) as r (tweet_id, referenced_id, type)
        on conflict do nothing;

        insert into public.context_annotations (tweet_id, position, domain_id, domain_name, domain_description,
                                                entity_id, entity_name, entity_description)
        select r.tweet_id, r.position, r.domain_id, r.domain_name, r.domain_description,
               r.entity_id, r.entity_name, r.entity_description
          from unnest(@ContextTweetIds, @ContextPositions, @ContextDomainIds, @ContextDomainNames,
                      @ContextDomainDescriptions, @ContextEntityIds, @ContextEntityNames, @ContextEntityDescriptions)
               as r (tweet_id, position, domain_id, domain_name, domain_description, entity_id, entity_name, entity_description);

        insert into public.entity_annotations (tweet_id, position, type, normalized_text, probability, start, "end")
        select r.tweet_id, r.position, r.type, r.normalized_text, r.probability, r.start, r."end"
          from unnest(@AnnotationTweetIds, @AnnotationPositions, @AnnotationTypes, @AnnotationNormalizedTexts,
                      @AnnotationProbabilities, @AnnotationStarts, @AnnotationEnds)
               as r (tweet_id, position, type, normalized_text, probability, start, "end");

        insert into public.tweet_media (tweet_id, position, media_key)
        select r.tweet_id, r.position, r.media_key
          from unnest(@MediaTweetIds, @MediaPositions, @MediaKeys) as r (tweet_id, position, media_key);
        """;

    // Scores belong to the stored version of a tweet, so they are rewritten whenever the tweet row
    // was written. Only a score of a retweet's original stays when the new score would come from the
    // retweet's own cut text, as when a later page did not include the original.
    private const string UpsertSentiment = """
        insert into public.tweet_sentiment as s (tweet_id, negative, neutral, positive, compound, label,
                                                 scored_text_source, lexicon_version, scored_at)
        select r.tweet_id, r.negative, r.neutral, r.positive, r.compound, r.label,
               r.scored_text_source, @LexiconVersion, @Now
          from unnest(@TweetIds, @Negatives, @Neutrals, @Positives, @Compounds, @Labels, @ScoredTextSources)
               as r (tweet_id, negative, neutral, positive, compound, label, scored_text_source)
        on conflict (tweet_id) do update
           set negative = excluded.negative,
               neutral = excluded.neutral,
               positive = excluded.positive,
               compound = excluded.compound,
               label = excluded.label,
               scored_text_source = excluded.scored_text_source,
               lexicon_version = excluded.lexicon_version,
               scored_at = excluded.scored_at
         where excluded.scored_text_source = 'retweeted_original'
            or s.scored_text_source = 'full_text'
        """;

    // The rescore replaces only rows that are still outdated, so it never overwrites scores that
    // the running writer computed with the current lexicon in the meantime.
    private const string UpsertRescoredSentiment = """
        insert into public.tweet_sentiment as s (tweet_id, negative, neutral, positive, compound, label,
                                                 scored_text_source, lexicon_version, scored_at)
        select r.tweet_id, r.negative, r.neutral, r.positive, r.compound, r.label,
               r.scored_text_source, @LexiconVersion, @Now
          from unnest(@TweetIds, @Negatives, @Neutrals, @Positives, @Compounds, @Labels, @ScoredTextSources)
               as r (tweet_id, negative, neutral, positive, compound, label, scored_text_source)
        on conflict (tweet_id) do update
           set negative = excluded.negative,
               neutral = excluded.neutral,
               positive = excluded.positive,
               compound = excluded.compound,
               label = excluded.label,
               scored_text_source = excluded.scored_text_source,
               lexicon_version = excluded.lexicon_version,
               scored_at = excluded.scored_at
         where s.lexicon_version <> excluded.lexicon_version
        """;

    // Tweets without scores, or with scores from another lexicon.
    private const string CountOutdatedSentiment = """
        select count(*)
          from public.tweets t
          left join public.tweet_sentiment s on s.tweet_id = t.id
         where s.tweet_id is null
            or s.lexicon_version <> @LexiconVersion
        """;

    // The next outdated tweets in id order, each with the stored full text of its retweeted
    // original when it is a retweet and the original is stored.
    private const string SelectOutdatedSentiment = """
        select t.id, t.full_text, o.full_text
          from public.tweets t
          left join public.tweet_sentiment s on s.tweet_id = t.id
          left join lateral (
                   select original.full_text
                     from public.referenced_tweets r
                     join public.tweets original on original.id = r.referenced_id
                    where r.tweet_id = t.id
                      and r.type = 'retweeted'
                    order by r.referenced_id
                    limit 1) o on true
         where t.id > @AfterId
           and (s.tweet_id is null or s.lexicon_version <> @LexiconVersion)
         order by t.id
         limit @Limit
        """;

    /// <summary>What <see cref="WriteAsync"/> does with deleted tweets.</summary>
    public DeletionMode DeletionMode => deletionOptions.Value.SelectedMode;

    /// <summary>The lexicon version that <see cref="WriteAsync"/> and the rescore methods store.</summary>
    public string LexiconVersion => sentimentScorer.LexiconVersion;

    /// <summary>
    /// Writes the batch in one transaction, with the sentiment scores of every tweet row written,
    /// and applies its deletions as <see cref="DeletionOptions.Mode"/> selects. Database errors
    /// propagate, so that the consumer delivers the batch again after a transient one.
    /// </summary>
    public async Task<WriteResult> WriteAsync(TweetBatch batch, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var tweets = batch.Tweets;
        var users = batch.Users;
        var deletions = batch.Deletions;
        var removeDeleted = DeletionMode == DeletionMode.Remove;

        // Scored before the transaction opens, so that no row lock waits for the scorer.
        var sentiments = tweets.Select(sentimentScorer.Score).ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SetWriterRole, transaction: transaction, cancellationToken: cancellationToken));

        // Tombstones go first, so that a tweet and its deletion in one batch end deleted whatever
        // their order in the queue.
        if (deletions.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertTombstones, TombstoneParameters(deletions), transaction, cancellationToken: cancellationToken));
        }

        var usersWritten = users.Count == 0
            ? 0
            : await connection.ExecuteAsync(new CommandDefinition(UpsertUsers, UserParameters(users, now), transaction, cancellationToken: cancellationToken));

        var writtenIds = tweets.Count == 0
            ? []
            : (await connection.QueryAsync<long>(new CommandDefinition(UpsertTweets, TweetParameters(tweets, now, removeDeleted), transaction, cancellationToken: cancellationToken))).ToHashSet();

        if (writtenIds.Count > 0)
        {
            var written = tweets.Where(t => writtenIds.Contains(t.Tweet.Id)).ToList();
            await connection.ExecuteAsync(new CommandDefinition(ReplaceEntities, EntityParameters(written), transaction, cancellationToken: cancellationToken));

            var writtenSentiments = sentiments.Where(s => writtenIds.Contains(s.TweetId)).ToList();
            await connection.ExecuteAsync(new CommandDefinition(UpsertSentiment, SentimentParameters(writtenSentiments, now), transaction, cancellationToken: cancellationToken));
        }

        await WriteMediaPlacesPollsAsync(connection, transaction, batch, now, cancellationToken);

        var deletionsApplied = await ApplyDeletionsAsync(connection, transaction, batch, writtenIds, removeDeleted, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new WriteResult(writtenIds.Count, tweets.Count - writtenIds.Count, usersWritten) { DeletionsApplied = deletionsApplied };
    }

    /// <summary>Counts the tweets whose scores are missing or were computed with another lexicon than <see cref="LexiconVersion"/>.</summary>
    public async Task<long> CountOutdatedSentimentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            CountOutdatedSentiment, new { LexiconVersion }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> tweets with ids above <paramref name="afterId"/>, in id
    /// order, whose scores are missing or were computed with another lexicon than <see cref="LexiconVersion"/>.
    /// </summary>
    public async Task<IReadOnlyList<OutdatedSentiment>> ReadOutdatedSentimentAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long TweetId, string FullText, string? RetweetedOriginalText)>(new CommandDefinition(
            SelectOutdatedSentiment, new { AfterId = afterId, Limit = limit, LexiconVersion }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new OutdatedSentiment(r.TweetId, r.FullText, r.RetweetedOriginalText))];
    }

    /// <summary>
    /// Stores rescored sentiment rows under the <c>tweets_writer</c> role and returns how many were
    /// written. A row that already has scores from <see cref="LexiconVersion"/> is left as it is.
    /// </summary>
    public async Task<int> WriteRescoredSentimentAsync(IReadOnlyList<TweetSentiment> sentiments, CancellationToken cancellationToken)
    {
        if (sentiments.Count == 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SetWriterRole, transaction: transaction, cancellationToken: cancellationToken));
        var written = await connection.ExecuteAsync(new CommandDefinition(
            UpsertRescoredSentiment, SentimentParameters(sentiments, timeProvider.GetUtcNow()), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return written;
    }

    private static object UserParameters(IReadOnlyList<UserObservation> users, DateTimeOffset now) => new
    {
        Now = now,
        Ids = users.Select(u => u.User.Id).ToArray(),
        Usernames = users.Select(u => u.User.Username).ToArray(),
        Names = users.Select(u => u.User.Name).ToArray(),
        CreatedAts = users.Select(u => u.User.CreatedAt).ToArray(),
        Descriptions = users.Select(u => u.User.Description).ToArray(),
        Locations = users.Select(u => u.User.Location).ToArray(),
        Verified = users.Select(u => u.User.Verified).ToArray(),
        VerifiedTypes = users.Select(u => u.User.VerifiedType).ToArray(),
        Protected = users.Select(u => u.User.Protected).ToArray(),
        ProfileImageUrls = users.Select(u => u.User.ProfileImageUrl).ToArray(),
        FollowersCounts = users.Select(u => u.User.FollowersCount).ToArray(),
        FollowingCounts = users.Select(u => u.User.FollowingCount).ToArray(),
        TweetCounts = users.Select(u => u.User.TweetCount).ToArray(),
        ListedCounts = users.Select(u => u.User.ListedCount).ToArray(),
        ObservedAts = users.Select(u => u.ObservedAt).ToArray(),
        Raws = users.Select(u => u.Json).ToArray(),
        Urls = users.Select(u => u.Details.Url).ToArray(),
        ExpandedUrls = users.Select(u => u.Details.ExpandedUrl).ToArray(),
        PinnedTweetIds = users.Select(u => u.Details.PinnedTweetId).ToArray(),
        MostRecentTweetIds = users.Select(u => u.Details.MostRecentTweetId).ToArray(),
        ProfileBannerUrls = users.Select(u => u.Details.ProfileBannerUrl).ToArray(),
        WithheldCountryCodes = users.Select(u => TextArrayLiteral(u.Details.WithheldCountryCodes)).ToArray(),
        UserLikeCounts = users.Select(u => u.Details.LikeCount).ToArray(),
    };

    private static object TweetParameters(IReadOnlyList<TweetObservation> tweets, DateTimeOffset now, bool skipTombstoned) => new
    {
        Now = now,
        SkipTombstoned = skipTombstoned,
        Ids = tweets.Select(t => t.Tweet.Id).ToArray(),
        AuthorIds = tweets.Select(t => t.Tweet.AuthorId).ToArray(),
        Texts = tweets.Select(t => t.Tweet.Text).ToArray(),
        FullTexts = tweets.Select(t => t.Tweet.FullText).ToArray(),
        CreatedAts = tweets.Select(t => t.Tweet.CreatedAt).ToArray(),
        Langs = tweets.Select(t => t.Tweet.Lang).ToArray(),
        Sources = tweets.Select(t => t.Tweet.Source).ToArray(),
        ConversationIds = tweets.Select(t => t.Tweet.ConversationId).ToArray(),
        InReplyToUserIds = tweets.Select(t => t.Tweet.InReplyToUserId).ToArray(),
        ReplySettings = tweets.Select(t => t.Tweet.ReplySettings).ToArray(),
        PossiblySensitive = tweets.Select(t => t.Tweet.PossiblySensitive).ToArray(),
        RetweetCounts = tweets.Select(t => t.Tweet.Metrics?.RetweetCount).ToArray(),
        ReplyCounts = tweets.Select(t => t.Tweet.Metrics?.ReplyCount).ToArray(),
        LikeCounts = tweets.Select(t => t.Tweet.Metrics?.LikeCount).ToArray(),
        QuoteCounts = tweets.Select(t => t.Tweet.Metrics?.QuoteCount).ToArray(),
        ImpressionCounts = tweets.Select(t => t.Tweet.Metrics?.ImpressionCount).ToArray(),
        BookmarkCounts = tweets.Select(t => t.Tweet.Metrics?.BookmarkCount).ToArray(),
        // A bigint[] per row cannot travel inside another array, so each goes as its array literal.
        EditHistoryIds = tweets.Select(t => ArrayLiteral(t.Tweet.EditHistoryIds)).ToArray(),
        Raws = tweets.Select(t => t.Json).ToArray(),
        ReferencedOnly = tweets.Select(t => t.ReferencedOnly).ToArray(),
        CollectedAts = tweets.Select(t => t.CollectedAt).ToArray(),
        WithheldCountryCodes = tweets.Select(t => TextArrayLiteral(t.Details.WithheldCountryCodes)).ToArray(),
        WithheldCopyright = tweets.Select(t => t.Details.WithheldCopyright).ToArray(),
        PlaceIds = tweets.Select(t => t.Details.PlaceId).ToArray(),
        Longitudes = tweets.Select(t => t.Details.Longitude).ToArray(),
        Latitudes = tweets.Select(t => t.Details.Latitude).ToArray(),
        PollIds = tweets.Select(t => t.Details.PollId).ToArray(),
        CommunityIds = tweets.Select(t => t.Details.CommunityId).ToArray(),
        IsEditEligible = tweets.Select(t => t.Details.IsEditEligible).ToArray(),
        EditableUntils = tweets.Select(t => t.Details.EditableUntil).ToArray(),
        EditsRemaining = tweets.Select(t => t.Details.EditsRemaining).ToArray(),
    };

    private object SentimentParameters(IReadOnlyList<TweetSentiment> sentiments, DateTimeOffset now) => new
    {
        Now = now,
        LexiconVersion,
        TweetIds = sentiments.Select(s => s.TweetId).ToArray(),
        Negatives = sentiments.Select(s => s.Scores.Negative).ToArray(),
        Neutrals = sentiments.Select(s => s.Scores.Neutral).ToArray(),
        Positives = sentiments.Select(s => s.Scores.Positive).ToArray(),
        Compounds = sentiments.Select(s => s.Scores.Compound).ToArray(),
        Labels = sentiments.Select(s => TweetSentimentScorer.LabelValue(s.Scores.Label)).ToArray(),
        ScoredTextSources = sentiments.Select(s => s.ScoredTextSource).ToArray(),
    };

    private static object EntityParameters(IReadOnlyList<TweetObservation> tweets)
    {
        var hashtags = Flatten(tweets, e => e.Hashtags);
        var cashtags = Flatten(tweets, e => e.Cashtags);
        var mentions = Flatten(tweets, e => e.Mentions);
        var urls = Flatten(tweets, e => e.Urls);
        var references = tweets.SelectMany(t => t.Tweet.References.Select(r => (TweetId: t.Tweet.Id, Reference: r))).ToList();
        var contexts = tweets.SelectMany(t => t.Details.ContextAnnotations.Select(a => (TweetId: t.Tweet.Id, Annotation: a))).ToList();
        var annotations = tweets.SelectMany(t => t.Details.EntityAnnotations.Select(a => (TweetId: t.Tweet.Id, Annotation: a))).ToList();
        var media = tweets.SelectMany(t => t.Details.MediaKeys.Select((key, position) => (TweetId: t.Tweet.Id, Position: position, Key: key))).ToList();

        return new
        {
            TweetIds = tweets.Select(t => t.Tweet.Id).ToArray(),

            HashtagTweetIds = hashtags.Select(h => h.TweetId).ToArray(),
            HashtagPositions = hashtags.Select(h => h.Position).ToArray(),
            HashtagTags = hashtags.Select(h => h.Entity.Tag).ToArray(),
            HashtagStarts = hashtags.Select(h => h.Entity.Start).ToArray(),
            HashtagEnds = hashtags.Select(h => h.Entity.End).ToArray(),

            CashtagTweetIds = cashtags.Select(c => c.TweetId).ToArray(),
            CashtagPositions = cashtags.Select(c => c.Position).ToArray(),
            CashtagTags = cashtags.Select(c => c.Entity.Tag).ToArray(),
            CashtagStarts = cashtags.Select(c => c.Entity.Start).ToArray(),
            CashtagEnds = cashtags.Select(c => c.Entity.End).ToArray(),

            MentionTweetIds = mentions.Select(m => m.TweetId).ToArray(),
            MentionPositions = mentions.Select(m => m.Position).ToArray(),
            MentionUserIds = mentions.Select(m => m.Entity.UserId).ToArray(),
            MentionUsernames = mentions.Select(m => m.Entity.Username).ToArray(),
            MentionStarts = mentions.Select(m => m.Entity.Start).ToArray(),
            MentionEnds = mentions.Select(m => m.Entity.End).ToArray(),

            UrlTweetIds = urls.Select(u => u.TweetId).ToArray(),
            UrlPositions = urls.Select(u => u.Position).ToArray(),
            Urls = urls.Select(u => u.Entity.Url).ToArray(),
            UrlExpandedUrls = urls.Select(u => u.Entity.ExpandedUrl).ToArray(),
            UrlDisplayUrls = urls.Select(u => u.Entity.DisplayUrl).ToArray(),
            UrlUnwoundUrls = urls.Select(u => u.Entity.UnwoundUrl).ToArray(),
            UrlTitles = urls.Select(u => u.Entity.Title).ToArray(),
            UrlStarts = urls.Select(u => u.Entity.Start).ToArray(),
            UrlEnds = urls.Select(u => u.Entity.End).ToArray(),

            ReferenceTweetIds = references.Select(r => r.TweetId).ToArray(),
            ReferencedIds = references.Select(r => r.Reference.Id).ToArray(),
            ReferenceTypes = references.Select(r => r.Reference.Type).ToArray(),

            ContextTweetIds = contexts.Select(c => c.TweetId).ToArray(),
            ContextPositions = contexts.Select(c => c.Annotation.Position).ToArray(),
            ContextDomainIds = contexts.Select(c => c.Annotation.DomainId).ToArray(),
            ContextDomainNames = contexts.Select(c => c.Annotation.DomainName).ToArray(),
            ContextDomainDescriptions = contexts.Select(c => c.Annotation.DomainDescription).ToArray(),
            ContextEntityIds = contexts.Select(c => c.Annotation.EntityId).ToArray(),
            ContextEntityNames = contexts.Select(c => c.Annotation.EntityName).ToArray(),
            ContextEntityDescriptions = contexts.Select(c => c.Annotation.EntityDescription).ToArray(),

            AnnotationTweetIds = annotations.Select(a => a.TweetId).ToArray(),
            AnnotationPositions = annotations.Select(a => a.Annotation.Position).ToArray(),
            AnnotationTypes = annotations.Select(a => a.Annotation.Type).ToArray(),
            AnnotationNormalizedTexts = annotations.Select(a => a.Annotation.NormalizedText).ToArray(),
            AnnotationProbabilities = annotations.Select(a => a.Annotation.Probability).ToArray(),
            AnnotationStarts = annotations.Select(a => a.Annotation.Start).ToArray(),
            AnnotationEnds = annotations.Select(a => a.Annotation.End).ToArray(),

            MediaTweetIds = media.Select(m => m.TweetId).ToArray(),
            MediaPositions = media.Select(m => m.Position).ToArray(),
            MediaKeys = media.Select(m => m.Key).ToArray(),
        };
    }

    private static List<(long TweetId, int Position, T Entity)> Flatten<T>(
        IReadOnlyList<TweetObservation> tweets, Func<TweetEntities, IReadOnlyList<T>> select) =>
        [.. tweets.SelectMany(t => select(t.Entities).Select((entity, position) => (t.Tweet.Id, position, entity)))];

    private static string ArrayLiteral(IReadOnlyList<long> values) =>
        "{" + string.Join(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "}";

    // A text[] literal with every element double-quoted, so commas, braces, quotes and backslashes
    // in a value cannot split it. Null stays null.
    private static string? TextArrayLiteral(IReadOnlyList<string>? values) =>
        values is null
            ? null
            : "{" + string.Join(',', values.Select(v => "\"" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")) + "}";
}

/// <summary>What one batch changed.</summary>
/// <param name="TweetsWritten">Tweet rows inserted or rewritten.</param>
/// <param name="TweetsSkipped">Tweets left as stored because the stored observation is newer.</param>
/// <param name="UsersWritten">User rows inserted or rewritten.</param>
internal sealed record WriteResult(int TweetsWritten, int TweetsSkipped, int UsersWritten)
{
    /// <summary>Tweet rows flagged or removed because of a deletion.</summary>
    public int DeletionsApplied { get; init; }
}

/// <summary>A tweet whose scores are missing or outdated, with the text to score.</summary>
/// <param name="RetweetedOriginalText">The stored full text of the retweeted original, when the tweet is a retweet and the original is stored.</param>
internal sealed record OutdatedSentiment(long TweetId, string FullText, string? RetweetedOriginalText);
