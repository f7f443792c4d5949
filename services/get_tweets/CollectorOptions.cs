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

    /// <summary>Polls the X API's recent search endpoint for <see cref="Query"/>.</summary>
    public const string RecentSearch = "recent_search";

    /// <summary>The default wait between two recent-search polls.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMinutes(1);

    /// <summary>The default time between two progress lines of a replay or import.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <see cref="Replay"/>, <see cref="Import"/> or <see cref="RecentSearch"/>. When empty it becomes
    /// <see cref="RecentSearch"/> if a bearer token is configured, else <see cref="Replay"/>.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>A JSONL file (plain or gzip) or a folder searched recursively for <c>*.jsonl</c> and <c>*.jsonl.gz</c>.</summary>
    public string? Path { get; set; }

    /// <summary>The recent-search query, in the X API's search syntax.</summary>
    public string? Query { get; set; }

    /// <summary>The wait between the end of one recent-search poll and the start of the next.</summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>How often a replay or import logs a progress line.</summary>
    public TimeSpan ProgressInterval { get; set; } = DefaultProgressInterval;

    /// <summary>The folder of the demo sample that ships beside the binaries (<c>/app/sample</c> in the image).</summary>
    public static string BundledSamplePath => System.IO.Path.Combine(AppContext.BaseDirectory, "sample");
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

/// <summary>Checks the collector settings at start; each error names the setting, its value and the fix.</summary>
internal sealed class CollectorOptionsValidator(IOptions<XApiOptions> xOptions) : IValidateOptions<CollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, CollectorOptions options)
    {
        var errors = new List<string>();
        switch (options.Source)
        {
            case CollectorOptions.Replay or CollectorOptions.Import:
                ValidatePath(options, errors);
                break;
            case CollectorOptions.RecentSearch:
                ValidateSearch(options, errors);
                break;
            default:
                errors.Add($"Collector:Source is '{options.Source}', which is not a source: set Collector__Source to replay, import or recent_search.");
                break;
        }

        if (options.ProgressInterval <= TimeSpan.Zero)
        {
            errors.Add($"Collector:ProgressInterval is {options.ProgressInterval}: set Collector__ProgressInterval to a positive time span such as 00:00:10.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidatePath(CollectorOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add($"Collector:Path is missing: {options.Source} needs Collector__Path set to a JSONL file or a folder of *.jsonl or *.jsonl.gz files.");
        }
        else if (!File.Exists(options.Path) && !Directory.Exists(options.Path))
        {
            errors.Add($"Collector:Path '{options.Path}' was not found: set Collector__Path to an existing JSONL file or folder (mounted into the container).");
        }
    }

    private void ValidateSearch(CollectorOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.Query))
        {
            errors.Add("Collector:Query is missing: recent_search needs Collector__Query set to an X API search query, such as '#brexit lang:en'.");
        }

        if (!xOptions.Value.HasBearerToken)
        {
            errors.Add("recent_search needs an X API bearer token: set X__BearerToken, or X__BearerTokenFile to a file that holds it.");
        }

        if (options.PollInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Collector:PollInterval is {options.PollInterval}: set Collector__PollInterval to at least 00:00:01.");
        }
    }
}
