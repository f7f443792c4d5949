using System.Globalization;
using System.Text;

namespace Pipeline.GetTweets.Search;

/// <summary>
/// Builds <c>GET /2/tweets/search/recent</c> requests that ask for whole posts: every tweet field
/// the writers store and every expansion whose objects the envelope resolves. The field names are
/// those of the X API v2 OpenAPI spec 2.159 (the <c>tweet.fields</c> spelling, which the API accepts).
/// </summary>
internal static class RecentSearchRequest
{
    /// <summary>The endpoint, relative to the base address.</summary>
    public const string Path = "2/tweets/search/recent";

    /// <summary>The largest page recent search returns.</summary>
    public const int MaxResults = 100;

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

    /// <summary>Returns the relative URI of one page: the newest tweets after <paramref name="sinceId"/>, or the page <paramref name="nextToken"/> names.</summary>
    public static string Build(string query, long? sinceId, string? nextToken)
    {
        var uri = new StringBuilder(Path)
            .Append("?query=").Append(Uri.EscapeDataString(query))
            .Append("&max_results=").Append(MaxResults.ToString(CultureInfo.InvariantCulture))
            .Append("&tweet.fields=").Append(Uri.EscapeDataString(TweetFields))
            .Append("&expansions=").Append(Uri.EscapeDataString(Expansions))
            .Append("&user.fields=").Append(Uri.EscapeDataString(UserFields))
            .Append("&media.fields=").Append(Uri.EscapeDataString(MediaFields))
            .Append("&place.fields=").Append(Uri.EscapeDataString(PlaceFields))
            .Append("&poll.fields=").Append(Uri.EscapeDataString(PollFields));
        if (sinceId is { } id)
        {
            uri.Append("&since_id=").Append(id.ToString(CultureInfo.InvariantCulture));
        }

        if (nextToken is not null)
        {
            uri.Append("&next_token=").Append(Uri.EscapeDataString(nextToken));
        }

        return uri.ToString();
    }
}
