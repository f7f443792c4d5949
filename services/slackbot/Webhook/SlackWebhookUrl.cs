using Microsoft.Extensions.Options;

namespace Pipeline.Slackbot.Webhook;

/// <summary>
/// The incoming webhook URL, from <c>Slack:WebhookUrl</c> or read once from the file
/// <c>Slack:WebhookUrlFile</c>. Its path is the credential, so the URL goes into the request and
/// nowhere else: <see cref="Redact"/> removes it from any text taken from a response before that
/// text reaches a log line or an exception, and <see cref="ToString"/> prints no part of it.
/// </summary>
internal sealed class SlackWebhookUrl(IOptions<SlackOptions> options)
{
    private const string Placeholder = "[webhook URL]";

    private readonly Lazy<Uri> uri = new(() => Load(options.Value));

    /// <summary>The URL; throws <see cref="InvalidOperationException"/> when none is configured or it is invalid.</summary>
    public Uri Uri => uri.Value;

    /// <summary>The host, which is safe to log: the secret is in the path.</summary>
    public string Host => Uri.Authority;

    /// <summary>Returns <paramref name="text"/> with the URL, and its path alone, replaced by a placeholder.</summary>
    public string Redact(string text)
    {
        var url = Uri.OriginalString;
        var path = Uri.AbsolutePath;
        text = text.Replace(url, Placeholder, StringComparison.Ordinal);
        return path.Length > 1 ? text.Replace(path, Placeholder, StringComparison.Ordinal) : text;
    }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(SlackWebhookUrl)} {Placeholder}";

    /// <summary>Returns why <paramref name="url"/> is not a usable webhook URL, without quoting it, or null when it is usable.</summary>
    public static string? Describe(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return $"it is not an absolute URL ({url.Length} characters; the value is a secret and is not shown)";
        }

        if (parsed.Scheme is not ("https" or "http"))
        {
            return $"its scheme is '{parsed.Scheme}', not https or http";
        }

        return parsed.AbsolutePath.Length <= 1
            ? $"it has no path after the host '{parsed.Authority}', and the path is what identifies the webhook"
            : null;
    }

    private static Uri Load(SlackOptions options)
    {
        string url;
        if (!string.IsNullOrWhiteSpace(options.WebhookUrl))
        {
            url = options.WebhookUrl.Trim();
        }
        else if (!string.IsNullOrWhiteSpace(options.WebhookUrlFile))
        {
            // Secret files often end with a newline, which is no part of the URL.
            url = File.ReadAllText(options.WebhookUrlFile).Trim();
        }
        else
        {
            throw new InvalidOperationException("No Slack webhook URL is configured: set Slack__WebhookUrl or Slack__WebhookUrlFile.");
        }

        if (Describe(url) is { } problem)
        {
            throw new InvalidOperationException($"The Slack webhook URL is invalid: {problem}. Set Slack__WebhookUrl or Slack__WebhookUrlFile.");
        }

        return new Uri(url, UriKind.Absolute);
    }
}
