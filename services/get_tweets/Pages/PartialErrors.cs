using Microsoft.Extensions.Logging;

namespace Pipeline.GetTweets.Pages;

/// <summary>Logs a page's partial errors, one line each up to a limit, so that a page full of them does not flood the log.</summary>
internal static class PartialErrors
{
    /// <summary>The partial errors of one page that are logged one by one; the rest are logged as a count.</summary>
    public const int MaxLoggedPerPage = 10;

    /// <summary>Logs <paramref name="errors"/> of the page at <paramref name="position"/>.</summary>
    public static void Log(ILogger logger, string position, IReadOnlyList<PartialError> errors)
    {
        foreach (var error in errors.Take(MaxLoggedPerPage))
        {
            GetTweets.Log.PartialError(logger, position, error.ResourceType, error.ResourceId, error.Title, error.Detail);
        }

        if (errors.Count > MaxLoggedPerPage)
        {
            GetTweets.Log.PartialErrorsSummarized(logger, position, errors.Count - MaxLoggedPerPage);
        }
    }
}
