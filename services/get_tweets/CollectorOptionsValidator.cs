using System.Globalization;
using Microsoft.Extensions.Options;
using Pipeline.GetTweets.Search;

namespace Pipeline.GetTweets;

/// <summary>Checks the collector settings at start; each error names the setting, its value and the fix.</summary>
internal sealed class CollectorOptionsValidator(IOptions<XApiOptions> xOptions) : IValidateOptions<CollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, CollectorOptions options)
    {
        var errors = new List<string>();
        switch (options.Source)
        {
            case CollectorOptions.Replay or CollectorOptions.Import or CollectorOptions.Compliance:
                ValidatePath(options, errors);
                break;
            case CollectorOptions.RecentSearch or CollectorOptions.FullArchiveSearch:
                ValidateSearch(options, errors);
                break;
            case CollectorOptions.FilteredStream:
                ValidateStream(options, errors);
                break;
            case CollectorOptions.Synthetic:
                ValidateSynthetic(options, errors);
                break;
            default:
                errors.Add($"Collector:Source is '{options.Source}', which is not a source: set Collector__Source to replay, import, compliance, recent_search, full_archive_search, filtered_stream or synthetic.");
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
            errors.Add($"Collector:Query is missing: {options.Source} needs Collector__Query set to an X API search query, such as '#brexit lang:en'.");
        }

        ValidateToken(options, errors);
        if (options.PollInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Collector:PollInterval is {options.PollInterval}: set Collector__PollInterval to at least 00:00:01.");
        }

        var endpoint = SearchEndpoint.ForSource(options.Source!);
        if (options.MaxResults < SearchEndpoint.MinResultsLimit || options.MaxResults > endpoint.MaxResultsLimit)
        {
            errors.Add($"Collector:MaxResults is {options.MaxResults}: {options.Source} returns {SearchEndpoint.MinResultsLimit} to {endpoint.MaxResultsLimit} posts per page, so set Collector__MaxResults within that range.");
        }

        ValidateRange(options, errors);
        ValidateUsageCapRetryAfter(options, errors);
    }

    // The API rejects start_time together with since_id, end_time together with until_id, and empty ranges.
    private static void ValidateRange(CollectorOptions options, List<string> errors)
    {
        if (options.StartTime is { } start && options.SinceId is { } sinceId)
        {
            errors.Add($"Both Collector:StartTime ({Format(start)}) and Collector:SinceId ({sinceId}) are set, but the X API accepts only one of start_time and since_id: remove one of Collector__StartTime and Collector__SinceId.");
        }

        if (options.EndTime is { } end && options.UntilId is { } untilId)
        {
            errors.Add($"Both Collector:EndTime ({Format(end)}) and Collector:UntilId ({untilId}) are set, but the X API accepts only one of end_time and until_id: remove one of Collector__EndTime and Collector__UntilId.");
        }

        if (options.StartTime is { } from && options.EndTime is { } to && from >= to)
        {
            errors.Add($"Collector:StartTime ({Format(from)}) is not before Collector:EndTime ({Format(to)}): set Collector__StartTime earlier than Collector__EndTime.");
        }

        if (options.SinceId is { } lowId && options.UntilId is { } highId && lowId >= highId)
        {
            errors.Add($"Collector:SinceId ({lowId}) is not smaller than Collector:UntilId ({highId}): no post id lies between them.");
        }

        if (options.SinceId is <= 0 || options.UntilId is <= 0)
        {
            errors.Add($"Collector:SinceId ({options.SinceId}) and Collector:UntilId ({options.UntilId}) must be positive post ids when set.");
        }
    }

    private void ValidateStream(CollectorOptions options, List<string> errors)
    {
        ValidateToken(options, errors);
        if (options.Rules.Count == 0)
        {
            errors.Add("Collector:Rules is empty: filtered_stream needs at least one rule, such as Collector__Rules__0__Value='#brexit lang:en' and Collector__Rules__0__Tag=brexit.");
        }

        for (var i = 0; i < options.Rules.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Rules[i].Value))
            {
                errors.Add($"Collector:Rules:{i}:Value is missing: set Collector__Rules__{i}__Value to a rule in the X API's filter syntax.");
            }
        }

        // The API rejects a second rule with the same value (DuplicateRule), whatever its tag.
        foreach (var duplicate in options.Rules.Where(r => !string.IsNullOrWhiteSpace(r.Value)).GroupBy(r => r.Value, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"Collector:Rules has the value '{duplicate.Key}' {duplicate.Count()} times, but the X API keeps one rule per value: declare it once.");
        }

        if (options.StreamBatchSize is < 1 or > 10_000)
        {
            errors.Add($"Collector:StreamBatchSize is {options.StreamBatchSize}: set Collector__StreamBatchSize to a number from 1 to 10000.");
        }

        if (options.StreamBatchInterval <= TimeSpan.Zero || options.StreamBatchInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Collector:StreamBatchInterval is {options.StreamBatchInterval}: set Collector__StreamBatchInterval to a time span from 00:00:00.001 to 00:01:00.");
        }

        ValidateUsageCapRetryAfter(options, errors);
    }

    private static void ValidateSynthetic(CollectorOptions options, List<string> errors)
    {
        if (options.SyntheticCount is < 1 or > CollectorOptions.MaxSyntheticCount)
        {
            errors.Add($"Collector:SyntheticCount is {options.SyntheticCount}: set Collector__SyntheticCount to a number of tweets from 1 to {CollectorOptions.MaxSyntheticCount}.");
        }

        if (options.SyntheticRate is { } rate && (rate < 0 || !double.IsFinite(rate)))
        {
            errors.Add($"Collector:SyntheticRate is {rate.ToString(CultureInfo.InvariantCulture)}: set Collector__SyntheticRate to tweets per second, 0 or more (0 or empty for no limit).");
        }
    }

    private void ValidateToken(CollectorOptions options, List<string> errors)
    {
        if (!xOptions.Value.HasBearerToken)
        {
            errors.Add($"{options.Source} needs an X API bearer token: set X__BearerToken, or X__BearerTokenFile to a file that holds it.");
        }
    }

    private static void ValidateUsageCapRetryAfter(CollectorOptions options, List<string> errors)
    {
        // A shorter wait would only spend requests on a cap that resets at the start of the next period.
        if (options.UsageCapRetryAfter < TimeSpan.FromMinutes(1))
        {
            errors.Add($"Collector:UsageCapRetryAfter is {options.UsageCapRetryAfter}: set Collector__UsageCapRetryAfter to at least 00:01:00 (default 1.00:00:00).");
        }
    }

    private static string Format(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);
}
