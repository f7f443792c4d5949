using System.Globalization;
using System.Text;

namespace Pipeline.GetTweets.Search;

/// <summary>A search endpoint of the X API v2 and the limits it sets.</summary>
/// <param name="Source">The <see cref="CollectorOptions.Source"/> that selects it.</param>
/// <param name="Path">The endpoint, relative to the base address.</param>
/// <param name="MaxResultsLimit">The largest <c>max_results</c> it accepts.</param>
/// <param name="MinimumRequestInterval">The least time between two requests that the endpoint allows beyond its rate-limit window.</param>
internal sealed record SearchEndpoint(string Source, string Path, int MaxResultsLimit, TimeSpan MinimumRequestInterval)
{
    /// <summary>The smallest <c>max_results</c> both endpoints accept.</summary>
    public const int MinResultsLimit = 10;

    /// <summary><c>GET /2/tweets/search/recent</c>: the last 7 days, up to 100 posts per page.</summary>
    public static readonly SearchEndpoint Recent = new(CollectorOptions.RecentSearch, "2/tweets/search/recent", 100, TimeSpan.Zero);

    /// <summary>
    /// <c>GET /2/tweets/search/all</c>: every post since 2006, up to 500 per page. The endpoint also
    /// allows only one request per second, which its <c>x-rate-limit-*</c> headers do not show.
    /// </summary>
    public static readonly SearchEndpoint FullArchive = new(CollectorOptions.FullArchiveSearch, "2/tweets/search/all", 500, TimeSpan.FromSeconds(1));

    /// <summary>Returns the endpoint of a search source.</summary>
    public static SearchEndpoint ForSource(string source) =>
        source == CollectorOptions.FullArchiveSearch ? FullArchive : Recent;
}

/// <summary>
/// One configured search: the endpoint, the query and the range it covers. It builds the request of
/// each page and names the checkpoint, which differs per query and range so that a changed range
/// starts over instead of continuing from a <c>since_id</c> that lies outside it.
/// </summary>
internal sealed record SearchRequest(
    SearchEndpoint Endpoint,
    string Query,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    long? SinceId,
    long? UntilId,
    int MaxResults)
{
    /// <summary>
    /// The start sent to full-archive search when no start, <c>since_id</c> or <c>until_id</c> is
    /// configured: 2006-03-21, the day of the first post. Without any of them the endpoint covers only
    /// about the last month (twarc2's <c>search_all</c> sends the same start for this reason).
    /// </summary>
    public static readonly DateTimeOffset FullArchiveStart = new(2006, 3, 21, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Returns the search that <paramref name="options"/> configure.</summary>
    public static SearchRequest FromOptions(CollectorOptions options) => new(
        SearchEndpoint.ForSource(options.Source!),
        options.Query!,
        options.StartTime,
        options.EndTime,
        options.SinceId,
        options.UntilId,
        options.MaxResults);

    /// <summary>
    /// True when the range has an end (<see cref="EndTime"/> or <see cref="UntilId"/>): such a search
    /// pages through its range once instead of polling for new posts.
    /// </summary>
    public bool IsBounded => EndTime is not null || UntilId is not null;

    /// <summary>The checkpoint key: <c>source:query</c>, followed by the configured range when one is set.</summary>
    public string SourceKey
    {
        get
        {
            var key = new StringBuilder(Endpoint.Source).Append(':').Append(Query);
            var range = RangeText();
            return range.Length == 0 ? key.ToString() : key.Append(' ').Append(range).ToString();
        }
    }

    /// <summary>The configured range as the request parameters that set it, such as <c>[start_time=2021-01-01T00:00:00Z]</c>, or empty.</summary>
    public string RangeText()
    {
        var parts = new List<string>();
        if (StartTime is { } start)
        {
            parts.Add("start_time=" + Format(start));
        }

        if (EndTime is { } end)
        {
            parts.Add("end_time=" + Format(end));
        }

        if (SinceId is { } sinceId)
        {
            parts.Add("since_id=" + sinceId.ToString(CultureInfo.InvariantCulture));
        }

        if (UntilId is { } untilId)
        {
            parts.Add("until_id=" + untilId.ToString(CultureInfo.InvariantCulture));
        }

        return parts.Count == 0 ? "" : "[" + string.Join(", ", parts) + "]";
    }

    /// <summary>
    /// Returns the relative URI of one page: the posts after <paramref name="sinceId"/> (or from the
    /// configured start when it is null), or the page <paramref name="nextToken"/> names. Every page
    /// of a poll repeats the poll's parameters, as the API requires with <c>next_token</c>.
    /// </summary>
    public string Build(long? sinceId, string? nextToken)
    {
        var uri = new StringBuilder(Endpoint.Path)
            .Append("?query=").Append(Uri.EscapeDataString(Query))
            .Append("&max_results=").Append(MaxResults.ToString(CultureInfo.InvariantCulture))
            .Append('&').Append(RequestedFields.QueryString);

        if (sinceId is { } id)
        {
            uri.Append("&since_id=").Append(id.ToString(CultureInfo.InvariantCulture));
        }
        else if ((StartTime ?? DefaultStart()) is { } start)
        {
            uri.Append("&start_time=").Append(Uri.EscapeDataString(Format(start)));
        }

        if (EndTime is { } end)
        {
            uri.Append("&end_time=").Append(Uri.EscapeDataString(Format(end)));
        }

        if (UntilId is { } untilId)
        {
            uri.Append("&until_id=").Append(untilId.ToString(CultureInfo.InvariantCulture));
        }

        if (nextToken is not null)
        {
            uri.Append("&next_token=").Append(Uri.EscapeDataString(nextToken));
        }

        return uri.ToString();
    }

    private DateTimeOffset? DefaultStart() =>
        Endpoint == SearchEndpoint.FullArchive && SinceId is null && UntilId is null ? FullArchiveStart : null;

    // The API takes YYYY-MM-DDTHH:mm:ssZ: UTC, whole seconds.
    private static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
