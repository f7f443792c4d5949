using Microsoft.Extensions.Options;

namespace Pipeline.GetTweets.Search;

/// <summary>
/// The bearer token, from <c>X:BearerToken</c> or read once from the file <c>X:BearerTokenFile</c>.
/// It goes into the Authorization header and nowhere else: <see cref="Redact"/> removes it from
/// any text taken from a response before that text reaches a log line or an exception.
/// </summary>
internal sealed class XApiCredentials(IOptions<XApiOptions> options)
{
    private const string Placeholder = "[redacted]";

    private readonly Lazy<string> token = new(() => Load(options.Value));

    /// <summary>The token; throws <see cref="InvalidOperationException"/> when none is configured.</summary>
    public string BearerToken => token.Value;

    /// <summary>Returns <paramref name="text"/> with every occurrence of the token replaced.</summary>
    public string Redact(string text) =>
        options.Value.HasBearerToken ? text.Replace(token.Value, Placeholder, StringComparison.Ordinal) : text;

    /// <inheritdoc />
    public override string ToString() => $"{nameof(XApiCredentials)} {Placeholder}";

    private static string Load(XApiOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.BearerToken))
        {
            return options.BearerToken.Trim();
        }

        if (!string.IsNullOrWhiteSpace(options.BearerTokenFile))
        {
            // Secret files often end with a newline, which is no part of the token.
            return File.ReadAllText(options.BearerTokenFile).Trim();
        }

        throw new InvalidOperationException("No X API bearer token is configured: set X__BearerToken or X__BearerTokenFile.");
    }
}
