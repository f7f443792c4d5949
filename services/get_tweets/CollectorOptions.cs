using Microsoft.Extensions.Options;

namespace Pipeline.GetTweets;

/// <summary>Settings of the configuration section <c>Collector</c>: which source to read and how.</summary>
internal sealed class CollectorOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>Collector__Source</c>.</summary>
    public const string SectionName = "Collector";

    /// <summary>Reads the JSONL files under <see cref="Path"/>, by default the bundled demo sample.</summary>
    public const string Replay = "replay";

    /// <summary>Reads the JSONL files under <see cref="Path"/>, which must be set: a user's own archive.</summary>
    public const string Import = "import";

    /// <summary>Reads batch compliance results under <see cref="Path"/> and enqueues a deletion for each line whose action is delete.</summary>
    public const string Compliance = "compliance";

    /// <summary>Enqueues <see cref="SyntheticCount"/> made-up tweets built from <see cref="SyntheticSeed"/>, for load and fault tests.</summary>
    public const string Synthetic = "synthetic";

    /// <summary>Polls the X API's recent search endpoint (the last 7 days) for <see cref="Query"/>.</summary>
    public const string RecentSearch = "recent_search";

    /// <summary>Pages through the X API's full-archive search endpoint for <see cref="Query"/>.</summary>
    public const string FullArchiveSearch = "full_archive_search";

    /// <summary>Reads the X API's filtered stream, whose rules are synced with <see cref="Rules"/> at start.</summary>
    public const string FilteredStream = "filtered_stream";

    /// <summary>The default page size of a search: the most that recent search allows.</summary>
    public const int DefaultMaxResults = 100;

    /// <summary>The default number of stream tweets committed in one transaction.</summary>
    public const int DefaultStreamBatchSize = 100;

    /// <summary>The default number of synthetic tweets.</summary>
    public const int DefaultSyntheticCount = 100_000;

    /// <summary>The default seed of the synthetic tweets.</summary>
    public const long DefaultSyntheticSeed = 1;

    /// <summary>The most synthetic tweets accepted; their ids stay far below the largest signed 64-bit id.</summary>
    public const int MaxSyntheticCount = 100_000_000;

    /// <summary>The default wait between two recent-search polls.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMinutes(1);

    /// <summary>The default time between two progress lines of a replay or import.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(10);

    /// <summary>The default wait after the X API reported the project's monthly post cap used up.</summary>
    public static readonly TimeSpan DefaultUsageCapRetryAfter = TimeSpan.FromHours(24);

    /// <summary>The default longest time a stream tweet waits for its batch to commit.</summary>
    public static readonly TimeSpan DefaultStreamBatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <see cref="Replay"/>, <see cref="Import"/>, <see cref="Compliance"/>, <see cref="RecentSearch"/>, <see cref="FullArchiveSearch"/>
    /// or <see cref="FilteredStream"/>. When empty it becomes <see cref="RecentSearch"/> if a bearer
    /// token is configured, else <see cref="Replay"/>.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>A JSONL file (plain or gzip) or a folder searched recursively for <c>*.jsonl</c> and <c>*.jsonl.gz</c>.</summary>
    public string? Path { get; set; }

    /// <summary>The search query, in the X API's search syntax.</summary>
    public string? Query { get; set; }

    /// <summary>
    /// The oldest post time a search covers (<c>start_time</c>, inclusive, whole seconds in UTC). Once
    /// a poll has collected a post, the newest post id (<c>since_id</c>) takes its place, because the
    /// API accepts only one of the two.
    /// </summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>The post time a search stops before (<c>end_time</c>, exclusive). A search with an end pages through its range once.</summary>
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>The first poll covers only posts with a greater id (<c>since_id</c>); later polls start after the newest post collected.</summary>
    public long? SinceId { get; set; }

    /// <summary>The search covers only posts with a smaller id (<c>until_id</c>). A search with an end pages through its range once.</summary>
    public long? UntilId { get; set; }

    /// <summary>Posts per search page (<c>max_results</c>): 10 to 100 for recent search, 10 to 500 for full-archive search.</summary>
    public int MaxResults { get; set; } = DefaultMaxResults;

    /// <summary>The wait between the end of one search poll and the start of the next.</summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>The filtered-stream rules; the stream's rules on the X API are made to match them at start.</summary>
    public List<StreamRuleOptions> Rules { get; set; } = [];

    /// <summary>Stream tweets committed in one transaction at most.</summary>
    public int StreamBatchSize { get; set; } = DefaultStreamBatchSize;

    /// <summary>The longest time a stream tweet waits before its batch commits, even when the batch is not full.</summary>
    public TimeSpan StreamBatchInterval { get; set; } = DefaultStreamBatchInterval;

    /// <summary>The wait before the next request after the X API reported the monthly post cap used up (HTTP 429 <c>UsageCapExceeded</c>).</summary>
    public TimeSpan UsageCapRetryAfter { get; set; } = DefaultUsageCapRetryAfter;

    /// <summary>The number of tweets in <c>data</c> of the synthetic pages (100 per page); null for <see cref="DefaultSyntheticCount"/>.</summary>
    public int? SyntheticCount { get; set; }

    /// <summary>The seed that fixes every synthetic page, tweet and id; null for <see cref="DefaultSyntheticSeed"/>.</summary>
    public long? SyntheticSeed { get; set; }

    /// <summary>The most synthetic tweets enqueued per second; null or 0 for no limit.</summary>
    public double? SyntheticRate { get; set; }

    /// <summary>How often a replay or import logs a progress line.</summary>
    public TimeSpan ProgressInterval { get; set; } = DefaultProgressInterval;

    /// <summary>The folder of the demo sample that ships beside the binaries (<c>/app/sample</c> in the image).</summary>
    public static string BundledSamplePath => System.IO.Path.Combine(AppContext.BaseDirectory, "sample");
}

/// <summary>One filtered-stream rule, set by <c>Collector__Rules__0__Value</c> and <c>Collector__Rules__0__Tag</c>.</summary>
internal sealed class StreamRuleOptions
{
    /// <summary>The rule in the X API's filter syntax, such as <c>#brexit lang:en</c>.</summary>
    public string? Value { get; set; }

    /// <summary>An optional label that the stream sends back with each tweet the rule matched.</summary>
    public string? Tag { get; set; }
}

/// <summary>Fills in the source and the replay path that the configuration left empty.</summary>
internal sealed class CollectorOptionsDefaults(IOptions<XApiOptions> xOptions) : IPostConfigureOptions<CollectorOptions>
{
    public void PostConfigure(string? name, CollectorOptions options)
    {
        options.Source = string.IsNullOrWhiteSpace(options.Source)
            ? (xOptions.Value.HasBearerToken ? CollectorOptions.RecentSearch : CollectorOptions.Replay)
            : options.Source.Trim().ToLowerInvariant();

        if (options.Source == CollectorOptions.Replay && string.IsNullOrWhiteSpace(options.Path))
        {
            options.Path = CollectorOptions.BundledSamplePath;
        }
    }
}
