using Microsoft.Extensions.Options;

namespace Pipeline.Core.Hosting;

/// <summary>Settings of the writers' <c>rescore</c> command, bound from the configuration section <c>Rescore</c>.</summary>
public sealed class RescoreOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>Rescore__BatchSize</c>.</summary>
    public const string SectionName = "Rescore";

    /// <summary>The default number of tweets read, scored and written per batch.</summary>
    public const int DefaultBatchSize = 1000;

    /// <summary>The largest accepted <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 100_000;

    /// <summary>The default time between two progress lines.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(10);

    /// <summary>Tweets read, scored and written per batch: one transaction in PostgreSQL, one find and one unordered bulk write in MongoDB.</summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>How often the rescore logs a progress line.</summary>
    public TimeSpan ProgressInterval { get; set; } = DefaultProgressInterval;
}

/// <summary>Checks the rescore settings at start; each error names the setting, its value and the accepted range.</summary>
public sealed class RescoreOptionsValidator : IValidateOptions<RescoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RescoreOptions options)
    {
        var errors = new List<string>();
        if (options.BatchSize is < 1 or > RescoreOptions.MaxBatchSize)
        {
            errors.Add($"Rescore:BatchSize is {options.BatchSize}; set Rescore__BatchSize to a number from 1 to {RescoreOptions.MaxBatchSize}.");
        }

        if (options.ProgressInterval <= TimeSpan.Zero)
        {
            errors.Add($"Rescore:ProgressInterval is {options.ProgressInterval}; set Rescore__ProgressInterval above 0, for example 00:00:10.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
