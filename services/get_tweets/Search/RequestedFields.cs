namespace Pipeline.GetTweets.Search;

/// <summary>
/// The fields and expansions that every search and stream request names, so that posts arrive
/// whole: every tweet field the writers store and every expansion whose objects the envelope
/// resolves. The names are those of the X API v2 OpenAPI spec 2.159, which every recorded page was
/// requested with. Spec 2.167 names the search parameter <c>post.fields</c> (with
/// <c>referenced_posts</c> and <c>edit_history_post_ids</c> among its expansions) and keeps
/// <c>tweet.fields</c> for the stream.
/// NOTE: whether search still accepts <c>tweet.fields</c> once 2.167 is served has not been checked
/// against the live API; the responses are read in both spellings either way.
/// </summary>
internal static class RequestedFields
{
    public const string TweetFields =
        "attachments,author_id,context_annotations,conversation_id,created_at,edit_controls,edit_history_tweet_ids,"
        + "entities,geo,id,in_reply_to_user_id,lang,note_tweet,possibly_sensitive,public_metrics,referenced_tweets,"
        + "reply_settings,source,text,withheld";

    public const string Expansions =
        "author_id,referenced_tweets.id,referenced_tweets.id.author_id,in_reply_to_user_id,attachments.media_keys,"
        + "attachments.poll_ids,geo.place_id,entities.mentions.username,edit_history_tweet_ids";

    public const string UserFields =
        "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,"
        + "url,username,verified,verified_type,withheld";

    public const string MediaFields =
        "alt_text,duration_ms,height,media_key,preview_image_url,public_metrics,type,url,variants,width";

    public const string PlaceFields = "contained_within,country,country_code,full_name,geo,id,name,place_type";

    public const string PollFields = "duration_minutes,end_datetime,id,options,voting_status";

    /// <summary>The field and expansion parameters, escaped and joined with <c>&amp;</c>, for a request's query string.</summary>
    public static readonly string QueryString = string.Join(
        '&',
        "tweet.fields=" + Uri.EscapeDataString(TweetFields),
        "expansions=" + Uri.EscapeDataString(Expansions),
        "user.fields=" + Uri.EscapeDataString(UserFields),
        "media.fields=" + Uri.EscapeDataString(MediaFields),
        "place.fields=" + Uri.EscapeDataString(PlaceFields),
        "poll.fields=" + Uri.EscapeDataString(PollFields));
}
