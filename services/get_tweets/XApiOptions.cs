using Microsoft.Extensions.Options;

namespace Pipeline.GetTweets;

/// <summary>Settings of the configuration section <c>X</c>: where the X API is and how to call it.</summary>
internal sealed class XApiOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>X__BearerToken</c>.</summary>
    public const string SectionName = "X";

    /// <summary>The production X API.</summary>
    public const string DefaultBaseUrl = "https://api.x.com";

    /// <summary>The default time one HTTP attempt may take before it is abandoned and retried.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default wait before the first retry of a 5xx response or a timeout; it doubles per retry, with jitter.</summary>
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(2);

    /// <summary>The default number of retries of a 5xx response or a timeout before a poll gives up.</summary>
    public const int DefaultMaxRetryAttempts = 5;

    /// <summary>The scheme and host of the API; tests point it at a local fake.</summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The app-only bearer token. A secret: it is never logged or put in a message.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A file that contains the bearer token, such as a Docker secret under <c>/run/secrets</c>.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>The time one HTTP attempt may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Retries of a 5xx response or a timeout.</summary>
    public int MaxRetryAttempts { get; set; } = DefaultMaxRetryAttempts;

    /// <summary>The wait before the first retry.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = DefaultRetryBaseDelay;

    /// <summary>True when either <see cref="BearerToken"/> or <see cref="BearerTokenFile"/> is set.</summary>
    public bool HasBearerToken => !string.IsNullOrWhiteSpace(BearerToken) || !string.IsNullOrWhiteSpace(BearerTokenFile);
}

/// <summary>Checks the X API settings at start. Messages name the setting and never print the token.</summary>
internal sealed class XApiOptionsValidator : IValidateOptions<XApiOptions>
{
    public ValidateOptionsResult Validate(string? name, XApiOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            errors.Add($"X:BaseUrl '{options.BaseUrl}' is not an absolute http or https URL: set X__BaseUrl such as {XApiOptions.DefaultBaseUrl}.");
        }

        if (!string.IsNullOrWhiteSpace(options.BearerToken) && !string.IsNullOrWhiteSpace(options.BearerTokenFile))
        {
            errors.Add($"Both X:BearerToken and X:BearerTokenFile ('{options.BearerTokenFile}') are set: set only one of X__BearerToken and X__BearerTokenFile.");
        }
        else if (!string.IsNullOrWhiteSpace(options.BearerTokenFile))
        {
            ValidateTokenFile(options.BearerTokenFile, errors);
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"X:RequestTimeout is {options.RequestTimeout}: set X__RequestTimeout to a positive time span such as 00:00:30.");
        }

        if (options.MaxRetryAttempts is < 1 or > 100)
        {
            errors.Add($"X:MaxRetryAttempts is {options.MaxRetryAttempts}: set X__MaxRetryAttempts to a number from 1 to 100.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(10))
        {
            errors.Add($"X:RetryBaseDelay is {options.RetryBaseDelay}: set X__RetryBaseDelay to a time span from 00:00:00 to 00:10:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateTokenFile(string path, List<string> errors)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(File.ReadAllText(path)))
            {
                errors.Add($"X:BearerTokenFile '{path}' is empty: write the bearer token into it, or set X__BearerToken instead.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"X:BearerTokenFile '{path}' cannot be read ({ex.GetType().Name}): set X__BearerTokenFile to a readable file that holds the bearer token.");
        }
    }
}
