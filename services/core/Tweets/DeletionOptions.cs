using Microsoft.Extensions.Options;

namespace Pipeline.Core.Tweets;

/// <summary>What a writer does with a tweet that X reports deleted or a lookup reported not found.</summary>
public enum DeletionMode
{
    /// <summary>Keep the tweet, marked with the time and reason of its deletion.</summary>
    Flag,

    /// <summary>Delete the tweet and everything derived from it.</summary>
    Remove,
}

/// <summary>Settings of deleted tweets that both writers read, bound from the configuration section <c>Deletions</c>.</summary>
public sealed class DeletionOptions
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

    /// <summary>The mode that <see cref="Mode"/> selects: <see cref="DeletionMode.Flag"/> unless it is <c>remove</c>.</summary>
    public DeletionMode SelectedMode =>
        string.Equals(Mode, RemoveName, StringComparison.OrdinalIgnoreCase) ? DeletionMode.Remove : DeletionMode.Flag;
}

/// <summary>Checks the deletion settings at start. The error names the setting, its value and the accepted values.</summary>
public sealed class DeletionOptionsValidator : IValidateOptions<DeletionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeletionOptions options) =>
        string.Equals(options.Mode, DeletionOptions.FlagName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(options.Mode, DeletionOptions.RemoveName, StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Deletions:Mode is '{options.Mode}'; set Deletions__Mode to '{DeletionOptions.FlagName}' (keep deleted tweets, marked) or '{DeletionOptions.RemoveName}' (delete them and what was derived from them).");
}
