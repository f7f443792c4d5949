using Microsoft.Extensions.Options;
using Pipeline.Slackbot.Webhook;

namespace Pipeline.Slackbot;

/// <summary>
/// Settings of the configuration section <c>Slack</c>: where to post, which tweets to post and
/// how often to post a digest. List settings take one entry per index
/// (<c>Slack__Keywords__0</c>, <c>Slack__Keywords__1</c>) or several entries separated by commas in one.
/// </summary>
internal sealed class SlackOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>Slack__WebhookUrl</c>.</summary>
    public const string SectionName = "Slack";

    /// <summary>The default number of tweets a digest lists.</summary>
    public const int DefaultDigestSize = 10;

    /// <summary>
    /// The largest digest. Slack accepts at most 50 blocks in a message; a digest uses one header
    /// block and two blocks per tweet.
    /// </summary>
    public const int MaxDigestSize = 20;

    /// <summary>The default number of retries of a post that got HTTP 429 or 5xx, or whose connection was refused.</summary>
    public const int DefaultMaxRetryAttempts = 5;

    /// <summary>The default time one HTTP attempt may take before its outcome counts as unknown.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default wait before the first retry of a 5xx response; it doubles per retry, with jitter.</summary>
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>The shortest digest interval.</summary>
    public static readonly TimeSpan MinDigestInterval = TimeSpan.FromMinutes(1);

    /// <summary>The longest digest interval.</summary>
    public static readonly TimeSpan MaxDigestInterval = TimeSpan.FromDays(7);

    /// <summary>The incoming webhook URL. A secret: it is never logged or put in a message.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>A file that contains the webhook URL, such as a Docker secret under <c>/run/secrets</c>.</summary>
    public string? WebhookUrlFile { get; set; }

    /// <summary>Words or phrases, matched case-insensitively as whole words in the tweet's full text.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>Hashtags, with or without the leading <c>#</c>, matched case-insensitively against the tweet's hashtags.</summary>
    public List<string> Hashtags { get; set; } = [];

    /// <summary>Language codes as the X API writes them in <c>lang</c>, such as <c>en</c> or <c>de</c>.</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>The lowest sum of likes, retweets, quotes and replies a tweet must have when it is collected; null for no such rule.</summary>
    public long? MinEngagement { get; set; }

    /// <summary>
    /// Sentiment labels to post, of <c>positive</c>, <c>neutral</c> and <c>negative</c>: the label
    /// of the VADER compound score of the tweet's full text, as the writers store it.
    /// </summary>
    public List<string> Sentiments { get; set; } = [];

    /// <summary>The length of a digest period, such as <c>01:00:00</c> for hourly; null or zero for no digest.</summary>
    public TimeSpan? DigestInterval { get; set; }

    /// <summary>How many tweets a digest lists at most.</summary>
    public int DigestSize { get; set; } = DefaultDigestSize;

    /// <summary>The time one HTTP attempt may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Retries of a post that got HTTP 429 or 5xx, or whose connection was refused.</summary>
    public int MaxRetryAttempts { get; set; } = DefaultMaxRetryAttempts;

    /// <summary>The wait before the first retry of a 5xx response or a refused connection.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = DefaultRetryBaseDelay;

    /// <summary>True when a digest is configured.</summary>
    public bool HasDigest => DigestInterval is { } interval && interval > TimeSpan.Zero;

    /// <summary>True when at least one rule selects tweets to post on their own.</summary>
    public bool HasTweetRules => Keywords.Count > 0 || Hashtags.Count > 0 || Languages.Count > 0 || MinEngagement is not null || Sentiments.Count > 0;

    /// <summary>True when either <see cref="WebhookUrl"/> or <see cref="WebhookUrlFile"/> is set.</summary>
    public bool HasWebhookUrl => !string.IsNullOrWhiteSpace(WebhookUrl) || !string.IsNullOrWhiteSpace(WebhookUrlFile);
}

/// <summary>
/// Normalises the list settings: splits entries at commas, trims them, drops empty ones (compose
/// passes an unset variable as an empty string), removes a hashtag's leading <c>#</c> and writes
/// language codes and sentiment labels in lower case.
/// </summary>
internal sealed class SlackOptionsNormalizer : IPostConfigureOptions<SlackOptions>
{
    /// <inheritdoc />
    public void PostConfigure(string? name, SlackOptions options)
    {
        options.Keywords = Split(options.Keywords);
        options.Hashtags = [.. Split(options.Hashtags).Select(tag => tag.TrimStart('#', '\uFF03')).Where(tag => tag.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        options.Languages = [.. Split(options.Languages).Select(language => language.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
        options.Sentiments = [.. Split(options.Sentiments).Select(label => label.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
    }

    private static List<string> Split(List<string> entries) =>
        [.. entries
            .SelectMany(entry => (entry ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
}

/// <summary>Checks the Slack settings at start. Messages name the setting and the fix, and never print the webhook URL.</summary>
internal sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var errors = new List<string>();
        ValidateWebhook(options, errors);

        if (!options.HasTweetRules && !options.HasDigest)
        {
            errors.Add("Nothing is configured to post: set at least one of Slack__Keywords__0, Slack__Hashtags__0, Slack__Languages__0, Slack__Sentiments__0, Slack__MinEngagement (0 posts every tweet) or Slack__DigestInterval (such as 01:00:00).");
        }

        foreach (var hashtag in options.Hashtags.Where(tag => tag.Any(char.IsWhiteSpace)))
        {
            errors.Add($"Slack:Hashtags contains '{hashtag}', which has a space: a hashtag is one word; put phrases into Slack__Keywords__0 instead.");
        }

        foreach (var label in options.Sentiments.Where(label => label is not ("positive" or "neutral" or "negative")))
        {
            errors.Add($"Slack:Sentiments contains '{label}': set Slack__Sentiments__0 to positive, neutral or negative, or several of them separated by commas.");
        }

        if (options.MinEngagement is < 0)
        {
            errors.Add($"Slack:MinEngagement is {options.MinEngagement}: set Slack__MinEngagement to 0 or more, or leave it unset for no engagement rule.");
        }

        if (options.DigestInterval is { } interval && interval != TimeSpan.Zero
            && (interval < SlackOptions.MinDigestInterval || interval > SlackOptions.MaxDigestInterval))
        {
            errors.Add($"Slack:DigestInterval is {interval}: set Slack__DigestInterval to a time span from {SlackOptions.MinDigestInterval} to {SlackOptions.MaxDigestInterval}, such as 01:00:00, or leave it unset for no digest.");
        }

        if (options.DigestSize is < 1 or > SlackOptions.MaxDigestSize)
        {
            errors.Add($"Slack:DigestSize is {options.DigestSize}: set Slack__DigestSize to a number from 1 to {SlackOptions.MaxDigestSize}.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Slack:RequestTimeout is {options.RequestTimeout}: set Slack__RequestTimeout to a time span above 0 and at most 00:10:00, such as 00:00:10.");
        }

        if (options.MaxRetryAttempts is < 0 or > 100)
        {
            errors.Add($"Slack:MaxRetryAttempts is {options.MaxRetryAttempts}: set Slack__MaxRetryAttempts to a number from 0 to 100.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Slack:RetryBaseDelay is {options.RetryBaseDelay}: set Slack__RetryBaseDelay to a time span from 00:00:00 to 00:10:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateWebhook(SlackOptions options, List<string> errors)
    {
        var hasUrl = !string.IsNullOrWhiteSpace(options.WebhookUrl);
        var hasFile = !string.IsNullOrWhiteSpace(options.WebhookUrlFile);
        if (hasUrl && hasFile)
        {
            errors.Add($"Both Slack:WebhookUrl and Slack:WebhookUrlFile ('{options.WebhookUrlFile}') are set: set only one of Slack__WebhookUrl and Slack__WebhookUrlFile.");
            return;
        }

        if (!hasUrl && !hasFile)
        {
            errors.Add("Slack:WebhookUrl is missing: set Slack__WebhookUrl (SLACK_WEBHOOK_URL in .env for compose) to the channel's incoming webhook URL, or Slack__WebhookUrlFile to a file that contains it.");
            return;
        }

        string url;
        if (hasFile)
        {
            try
            {
                url = File.ReadAllText(options.WebhookUrlFile!).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"Slack:WebhookUrlFile '{options.WebhookUrlFile}' cannot be read ({ex.GetType().Name}): set Slack__WebhookUrlFile to a readable file that contains the webhook URL.");
                return;
            }

            if (url.Length == 0)
            {
                errors.Add($"Slack:WebhookUrlFile '{options.WebhookUrlFile}' is empty: write the webhook URL into it, or set Slack__WebhookUrl instead.");
                return;
            }
        }
        else
        {
            url = options.WebhookUrl!.Trim();
        }

        if (SlackWebhookUrl.Describe(url) is { } problem)
        {
            var setting = hasFile ? $"The file Slack:WebhookUrlFile '{options.WebhookUrlFile}'" : "Slack:WebhookUrl";
            errors.Add($"{setting} does not contain a valid webhook URL: {problem}. Use the URL that Slack shows for the incoming webhook, such as https://hooks.slack.com/services/T.../B.../....");
        }
    }
}
