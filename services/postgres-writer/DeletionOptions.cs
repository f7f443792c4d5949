using Microsoft.Extensions.Options;

namespace Pipeline.PostgresWriter;

/// <summary>What the writer does with a tweet that X reports deleted.</summary>
internal enum DeletionMode
{
    /// <summary>Keep the tweet and mark it: <c>tweets.deleted_at</c> and <c>tweets.deletion_reason</c>.</summary>
    Flag,

    /// <summary>Delete the tweet row and everything derived from it.</summary>
    Remove,
}

/// <summary>Settings of deleted tweets, bound from the configuration section <c>Deletions</c>.</summary>
internal sealed class DeletionOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>Deletions__Mode</c>.</summary>
    public const string SectionName = "Deletions";

    /// <summary>The value of <see cref="Mode"/> that selects <see cref="DeletionMode.Flag"/>, the default.</summary>
    public const string FlagName = "flag";

    /// <summary>The value of <see cref="Mode"/> that selects <see cref="DeletionMode.Remove"/>.</summary>
    public const string RemoveName = "remove";

    /// <summary>
    /// <c>flag</c> (the default) or <c>remove</c>, in any case. Bound as text so that an invalid
    /// value gets the validator's message rather than a conversion error.
    /// </summary>
    public string Mode { get; set; } = FlagName;

    /// <summary>The mode that <see cref="Mode"/> selects; <see cref="DeletionMode.Flag"/> unless it is <c>remove</c>.</summary>
    public DeletionMode SelectedMode => string.Equals(Mode, RemoveName, StringComparison.OrdinalIgnoreCase) ? DeletionMode.Remove : DeletionMode.Flag;
}

/// <summary>Checks the deletion settings at start; the error names the setting, its value and the accepted values.</summary>
internal sealed class DeletionOptionsValidator : IValidateOptions<DeletionOptions>
{
    public ValidateOptionsResult Validate(string? name, DeletionOptions options) =>
        string.Equals(options.Mode, DeletionOptions.FlagName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(options.Mode, DeletionOptions.RemoveName, StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Deletions:Mode is '{options.Mode}'; it must be '{DeletionOptions.FlagName}' (keep deleted tweets, marked) or '{DeletionOptions.RemoveName}' (delete them and their rows).");
}
