using System.Globalization;
using System.Text.Json;
using MongoDB.Bson;
using Pipeline.Core.Tweets;
using Pipeline.Vader;

namespace Pipeline.MongoWriter;

/// <summary>
/// Builds the BSON documents of the <c>tweets</c> and <c>users</c> collections. All field names
/// and types are written out here rather than left to a serializer, so this file is the
/// reference for what is stored.
/// </summary>
/// <remarks>
/// Ids are decimal strings as the API writes them, so that they stay exact and match the API's
/// JSON. Times are BSON dates in UTC, which hold milliseconds. Typed fields that the tweet does
/// not have are null, and lists it does not have are empty, so every document has the same
/// fields. The <c>raw</c> field keeps the API object itself, converted by
/// <see cref="JsonBsonConverter"/>.
/// </remarks>
internal static class TweetDocumentMapper
{
    /// <summary>MongoDB's maximum BSON document size (<c>maxBsonObjectSize</c>): 16 MiB.</summary>
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    /// <summary>The field of a tweet document that holds when its metrics were observed.</summary>
    public const string TweetObservedAtField = "metrics.observed_at";

    /// <summary>The field of a user document that holds when the user object was observed.</summary>
    public const string UserObservedAtField = "observed_at";

    /// <summary>The <c>sentiment.scored_text_source</c> of a tweet scored on its own full text.</summary>
    public const string FullTextSource = "full_text";

    /// <summary>The <c>sentiment.scored_text_source</c> of a retweet scored on its original's full text.</summary>
    public const string RetweetedOriginalSource = "retweeted_original";

    /// <summary>
    /// Builds the <c>tweets</c> document of an envelope. Throws <see cref="FormatException"/>,
    /// <see cref="KeyNotFoundException"/> or <see cref="InvalidOperationException"/> when the raw
    /// tweet lacks an id or text or contains a value that cannot be stored.
    /// </summary>
    public static BsonDocument MapTweet(TweetEnvelope envelope)
    {
        var tweet = Tweet.Parse(envelope.Tweet);
        var document = MapTweetFields("_id", tweet, envelope.CollectedAt);

        document.Add("referenced_tweets", MapReferences(envelope, tweet));
        document.Add("author", envelope.Author is { } author ? MapUserFields("id", TwitterUser.Parse(author)) : BsonNull.Value);
        document.Add("media", ConvertAll(envelope.Media));
        document.Add("places", ConvertAll(envelope.Places));
        document.Add("polls", ConvertAll(envelope.Polls));
        document.Add("matching_rules", envelope.MatchingRules is { } rules ? JsonBsonConverter.ToBson(rules) : BsonNull.Value);
        document.Add("source", new BsonDocument
        {
            { "kind", envelope.Source.Kind },
            { "name", envelope.Source.Name },
        });
        document.Add("collected_at", Date(envelope.CollectedAt));
        // NOTE: a document is replaced by the newest observation, so a tweet first matched in a
        // page's data and later delivered only in another page's includes ends up marked true.
        document.Add("referenced_only", envelope.Referenced);
        document.Add("sentiment", MapSentiment(envelope, tweet));
        document.Add("raw", JsonBsonConverter.ToBsonDocument(envelope.Tweet));
        return document;
    }

    /// <summary>
    /// Builds the <c>sentiment</c> field: VADER's scores of the tweet's full text. A retweet's own
    /// text is the cut "RT @user: ..." form, so a retweet is scored on its original's full text
    /// when the page included the original, as the Postgres writer does.
    /// </summary>
    public static BsonDocument MapSentiment(TweetEnvelope envelope, Tweet tweet)
    {
        var original = tweet.RetweetedId is { } originalId
            ? envelope.ReferencedTweets.FirstOrDefault(r => r.Type == TweetReference.Retweeted && IsSameId(r.Id, originalId))?.Tweet
            : null;
        var (text, source) = original is { } raw
            ? (Tweet.Parse(raw).FullText, RetweetedOriginalSource)
            : (tweet.FullText, FullTextSource);

        return MapScores(text, source);
    }

    /// <summary>
    /// Builds the <c>sentiment</c> field of <paramref name="text"/> with the default scorer, recording
    /// where the text came from (<see cref="FullTextSource"/> or <see cref="RetweetedOriginalSource"/>).
    /// </summary>
    public static BsonDocument MapScores(string text, string source)
    {
        var scorer = VaderScorer.Default;
        var scores = scorer.Score(text);
        return new BsonDocument
        {
            { "negative", scores.Negative },
            { "neutral", scores.Neutral },
            { "positive", scores.Positive },
            { "compound", scores.Compound },
            { "label", scores.Label.ToString().ToLowerInvariant() },
            { "scored_text_source", source },
            { "lexicon_version", scorer.LexiconVersion },
        };
    }

    /// <summary>
    /// Builds the <c>users</c> documents of the authors in an envelope: the tweet's author and the
    /// authors of included referenced tweets, each stamped with the envelope's collection time.
    /// </summary>
    public static List<BsonDocument> MapUsers(TweetEnvelope envelope)
    {
        var users = new List<BsonDocument>();
        if (envelope.Author is { } author)
        {
            users.Add(MapUser(author, envelope.CollectedAt));
        }

        foreach (var reference in envelope.ReferencedTweets)
        {
            if (reference.Author is { } referencedAuthor)
            {
                users.Add(MapUser(referencedAuthor, envelope.CollectedAt));
            }
        }

        return users;
    }

    /// <summary>Builds the <c>users</c> document of a raw user object observed at <paramref name="observedAt"/>.</summary>
    public static BsonDocument MapUser(JsonElement rawUser, DateTimeOffset observedAt)
    {
        var document = MapUserFields("_id", TwitterUser.Parse(rawUser));
        document.Add(UserObservedAtField, Date(observedAt));
        document.Add("raw", JsonBsonConverter.ToBsonDocument(rawUser));
        return document;
    }

    /// <summary>Returns the size of the document in bytes once serialized to BSON.</summary>
    public static int MeasureBson(BsonDocument document) => document.ToBson().Length;

    /// <summary>Formats an id as the API's decimal string.</summary>
    public static string FormatId(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static BsonDocument MapTweetFields(string idField, Tweet tweet, DateTimeOffset observedAt)
    {
        var entities = tweet.Entities;
        return new BsonDocument
        {
            { idField, FormatId(tweet.Id) },
            { "text", tweet.Text },
            { "full_text", tweet.FullText },
            { "created_at", Date(tweet.CreatedAt) },
            { "author_id", Id(tweet.AuthorId) },
            { "lang", Text(tweet.Lang) },
            { "conversation_id", Id(tweet.ConversationId) },
            { "in_reply_to_user_id", Id(tweet.InReplyToUserId) },
            { "hashtags", new BsonArray(entities.Hashtags.Select(h => h.Tag)) },
            // Hashtags match without regard to case, so queries use this lower-cased set.
            { "hashtags_lower", new BsonArray(entities.Hashtags.Select(h => h.Tag.ToLowerInvariant()).Distinct(StringComparer.Ordinal)) },
            { "cashtags", new BsonArray(entities.Cashtags.Select(c => c.Tag)) },
            { "mentions", new BsonArray(entities.Mentions.Select(MapMention)) },
            { "urls", new BsonArray(entities.Urls.Select(MapUrl)) },
            { "metrics", MapMetrics(tweet.Metrics, observedAt) },
            { "edit_history_ids", new BsonArray(tweet.EditHistoryIds.Select(FormatId)) },
        };
    }

    private static BsonArray MapReferences(TweetEnvelope envelope, Tweet tweet)
    {
        // The tweet's own list gives the order; the envelope contains the objects the page included.
        var references = new BsonArray();
        foreach (var reference in tweet.References)
        {
            var included = envelope.ReferencedTweets.FirstOrDefault(r => r.Type == reference.Type && IsSameId(r.Id, reference.Id));
            references.Add(new BsonDocument
            {
                { "type", reference.Type },
                { "id", FormatId(reference.Id) },
                { "tweet", included?.Tweet is { } raw ? MapReferencedTweet(raw, included.Author, envelope.CollectedAt) : BsonNull.Value },
            });
        }

        return references;
    }

    private static BsonDocument MapReferencedTweet(JsonElement raw, JsonElement? author, DateTimeOffset observedAt)
    {
        var document = MapTweetFields("id", Tweet.Parse(raw), observedAt);
        document.Add("author", author is { } user ? MapUserFields("id", TwitterUser.Parse(user)) : BsonNull.Value);
        document.Add("raw", JsonBsonConverter.ToBsonDocument(raw));
        return document;
    }

    private static BsonDocument MapUserFields(string idField, TwitterUser user) => new()
    {
        { idField, FormatId(user.Id) },
        { "username", Text(user.Username) },
        { "name", Text(user.Name) },
        { "created_at", Date(user.CreatedAt) },
        { "description", Text(user.Description) },
        { "location", Text(user.Location) },
        { "verified", Boolean(user.Verified) },
        { "verified_type", Text(user.VerifiedType) },
        { "protected", Boolean(user.Protected) },
        { "profile_image_url", Text(user.ProfileImageUrl) },
        {
            "metrics", new BsonDocument
            {
                { "followers_count", Count(user.FollowersCount) },
                { "following_count", Count(user.FollowingCount) },
                { "tweet_count", Count(user.TweetCount) },
                { "listed_count", Count(user.ListedCount) },
            }
        },
    };

    private static BsonDocument MapMetrics(PublicMetrics? metrics, DateTimeOffset observedAt) => new()
    {
        { "retweet_count", Count(metrics?.RetweetCount) },
        { "reply_count", Count(metrics?.ReplyCount) },
        { "like_count", Count(metrics?.LikeCount) },
        { "quote_count", Count(metrics?.QuoteCount) },
        { "impression_count", Count(metrics?.ImpressionCount) },
        { "bookmark_count", Count(metrics?.BookmarkCount) },
        { "observed_at", Date(observedAt) },
    };

    private static BsonDocument MapMention(MentionEntity mention) => new()
    {
        { "id", Id(mention.UserId) },
        { "username", mention.Username },
    };

    private static BsonDocument MapUrl(UrlEntity url) => new()
    {
        { "url", url.Url },
        { "expanded_url", Text(url.ExpandedUrl) },
        { "display_url", Text(url.DisplayUrl) },
        { "unwound_url", Text(url.UnwoundUrl) },
        { "title", Text(url.Title) },
    };

    private static bool IsSameId(string text, long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed == id;

    private static BsonArray ConvertAll(IReadOnlyList<JsonElement> objects) =>
        new(objects.Select(JsonBsonConverter.ToBson));

    private static BsonValue Date(DateTimeOffset? value) =>
        value is { } time ? new BsonDateTime(time.ToUnixTimeMilliseconds()) : BsonNull.Value;

    private static BsonValue Id(long? value) => value is { } id ? new BsonString(FormatId(id)) : BsonNull.Value;

    private static BsonValue Text(string? value) => value is null ? BsonNull.Value : new BsonString(value);

    private static BsonValue Count(long? value) => value is { } count ? new BsonInt64(count) : BsonNull.Value;

    private static BsonValue Boolean(bool? value) => value is { } flag ? BsonBoolean.Create(flag) : BsonNull.Value;
}
