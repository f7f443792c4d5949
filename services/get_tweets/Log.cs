using System.Net;
using Microsoft.Extensions.Logging;

namespace Pipeline.GetTweets;

/// <summary>Log messages of the collector; event ids 2000-2999.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Collector starting: source {Source}, reading {Input}")]
    public static partial void CollectorStarting(ILogger logger, string source, string input);

    [LoggerMessage(2001, LogLevel.Information, "Reading {File} from line {StartLine}")]
    public static partial void FileStarted(ILogger logger, string file, long startLine);

    [LoggerMessage(2002, LogLevel.Information, "File {File} differs from the one its checkpoint was taken from (its first line changed); reading it from the start")]
    public static partial void FileReplaced(ILogger logger, string file);

    [LoggerMessage(2003, LogLevel.Information, "Progress: {Pages} pages, {Tweets} tweets read, {Enqueued} enqueued, {Rejected} lines rejected, {Rate:F0} tweets/s")]
    public static partial void Progress(ILogger logger, long pages, long tweets, long enqueued, long rejected, double rate);

    [LoggerMessage(2004, LogLevel.Information, "{Source} finished: {Files} files, {Pages} pages, {Tweets} tweets read, {Enqueued} enqueued, {Unchanged} already enqueued unchanged, {Rejected} lines rejected, {PartialErrors} partial errors, in {Elapsed}")]
    public static partial void ReplayFinished(ILogger logger, string source, int files, long pages, long tweets, long enqueued, long unchanged, long rejected, long partialErrors, TimeSpan elapsed);

    [LoggerMessage(2005, LogLevel.Warning, "Line {Line} of {File} is not an X API response page and was set aside in collector.rejected_lines: {Error}")]
    public static partial void LineRejected(ILogger logger, string file, long line, string error);

    [LoggerMessage(2006, LogLevel.Warning, "Partial error in {Position}: {ResourceType} {ResourceId} was not returned: {Title}: {Detail}")]
    public static partial void PartialError(ILogger logger, string position, string? resourceType, string? resourceId, string? title, string? detail);

    [LoggerMessage(2007, LogLevel.Warning, "{Count} more partial errors in {Position} are counted but not logged one by one")]
    public static partial void PartialErrorsSummarized(ILogger logger, string position, int count);

    [LoggerMessage(2008, LogLevel.Debug, "Committed {Position}: {Tweets} tweets, {Enqueued} enqueued")]
    public static partial void PageCommitted(ILogger logger, string position, int tweets, int enqueued);

    [LoggerMessage(2009, LogLevel.Warning, "No *.jsonl or *.jsonl.gz files were found under {Path}; nothing to read")]
    public static partial void NoFilesFound(ILogger logger, string path);

    [LoggerMessage(2010, LogLevel.Information, "Recent search poll finished for {Query}: {Pages} pages, {Tweets} tweets, {Enqueued} enqueued, newest id {NewestId}")]
    public static partial void PollFinished(ILogger logger, string query, int pages, long tweets, long enqueued, long? newestId);

    [LoggerMessage(2011, LogLevel.Error, "Recent search poll for {Query} failed; the next poll in {PollInterval} continues from the checkpoint")]
    public static partial void PollFailed(ILogger logger, string query, TimeSpan pollInterval, Exception exception);

    [LoggerMessage(2012, LogLevel.Warning, "X API rate limit reached ({Reason}); waiting {Wait} until {ResumeAt:O}")]
    public static partial void RateLimitWaitStarted(ILogger logger, string reason, TimeSpan wait, DateTimeOffset resumeAt);

    [LoggerMessage(2013, LogLevel.Information, "X API rate-limit wait over; resuming requests")]
    public static partial void RateLimitWaitEnded(ILogger logger);

    [LoggerMessage(2014, LogLevel.Warning, "X API request failed ({Outcome}); retry {Attempt} in {Delay}")]
    public static partial void RequestRetry(ILogger logger, string outcome, int attempt, TimeSpan delay);

    [LoggerMessage(2015, LogLevel.Critical, "{Message}")]
    public static partial void AuthorizationFailed(ILogger logger, string message);

    [LoggerMessage(2016, LogLevel.Warning, "The X API rejected the pagination token (HTTP {StatusCode}: {Detail}); restarting the poll from since_id {SinceId}")]
    public static partial void PaginationTokenRejected(ILogger logger, HttpStatusCode statusCode, string detail, long? sinceId);

    [LoggerMessage(2017, LogLevel.Warning, "The X API rejected since_id {SinceId} (HTTP {StatusCode}: {Detail}), most likely because it is older than the 7 days recent search covers; searching all 7 days instead")]
    public static partial void SinceIdRejected(ILogger logger, long sinceId, HttpStatusCode statusCode, string detail);
}
