using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Search;

/// <summary>
/// Waits out the X API's usage cap: the number of posts a project may read per month. When it is
/// used up the API responds with HTTP 429 and a <c>UsageCapExceeded</c> problem, and no request succeeds
/// until the cap period ends, so the collector waits <see cref="CollectorOptions.UsageCapRetryAfter"/>
/// before each next request instead of backing off on the rate-limit timer. The first report is
/// logged as an error; repeats until a request succeeds again are logged as warnings.
/// </summary>
internal sealed class UsageCap(IOptions<CollectorOptions> options, CollectorMetrics metrics, TimeProvider timeProvider, ILogger<UsageCap> logger)
{
    /// <summary>
    /// The end of the problem type of a used-up cap. The OpenAPI spec 2.159 maps it under
    /// <c>https://api.twitter.com</c>; X's newer documents write <c>https://api.x.com</c>, so only the path is compared.
    /// </summary>
    public const string ProblemTypePath = "/2/problems/usage-capped";

    /// <summary>The problem title of a used-up cap.</summary>
    public const string ProblemTitle = "UsageCapExceeded";

    private int reported;

    /// <summary>
    /// True when <paramref name="body"/> is a usage-cap problem: a JSON object, or an item of its
    /// <c>errors</c> array, whose <c>title</c> is <c>UsageCapExceeded</c> or whose <c>type</c> ends
    /// with the usage-capped problem path.
    /// </summary>
    public static bool IsExceeded(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return IsExceeded(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="message"/> is a usage-cap problem or lists one in <c>errors</c>.</summary>
    public static bool IsExceeded(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (IsProblem(message))
        {
            return true;
        }

        return message.TryGetProperty("errors", out var errors)
            && errors.ValueKind == JsonValueKind.Array
            && errors.EnumerateArray().Any(IsProblem);
    }

    /// <summary>Logs the used-up cap (once as an error, then as warnings) and waits for the next cap period.</summary>
    public async Task WaitAsync(string detail, CancellationToken cancellationToken)
    {
        var wait = options.Value.UsageCapRetryAfter;
        var resumeAt = timeProvider.GetUtcNow() + wait;
        if (Interlocked.Exchange(ref reported, 1) == 0)
        {
            Log.UsageCapExhausted(logger, detail, wait, resumeAt);
        }
        else
        {
            Log.UsageCapStillExhausted(logger, wait, resumeAt);
        }

        metrics.Waiting(wait);
        await Task.Delay(wait, timeProvider, cancellationToken);
    }

    /// <summary>Records that a request succeeded, so that the next used-up cap is logged as an error again.</summary>
    public void Reset() => Volatile.Write(ref reported, 0);

    private static bool IsProblem(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object
        && (string.Equals(ApiJson.GetString(problem, "title"), ProblemTitle, StringComparison.Ordinal)
            || ApiJson.GetString(problem, "type")?.EndsWith(ProblemTypePath, StringComparison.Ordinal) == true);
}
