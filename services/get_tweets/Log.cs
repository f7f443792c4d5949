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

    [LoggerMessage(2005, LogLevel.Warning, "Line {Line} of {File} could not be read and was set aside in collector.rejected_lines: {Error}")]
    public static partial void LineRejected(ILogger logger, string file, long line, string error);

    [LoggerMessage(2006, LogLevel.Warning, "Partial error in {Position}: {ResourceType} {ResourceId} was not returned: {Title}: {Detail}")]
    public static partial void PartialError(ILogger logger, string position, string? resourceType, string? resourceId, string? title, string? detail);

    [LoggerMessage(2007, LogLevel.Warning, "{Count} more partial errors in {Position} are counted but not logged one by one")]
    public static partial void PartialErrorsSummarized(ILogger logger, string position, int count);

    [LoggerMessage(2008, LogLevel.Debug, "Committed {Position}: {Tweets} tweets, {Enqueued} enqueued")]
    public static partial void PageCommitted(ILogger logger, string position, int tweets, int enqueued);

    [LoggerMessage(2009, LogLevel.Warning, "No *.jsonl or *.jsonl.gz files were found under {Path}; nothing to read")]
    public static partial void NoFilesFound(ILogger logger, string path);

    [LoggerMessage(2010, LogLevel.Information, "{Source} poll finished for {Query}: {Pages} pages, {Tweets} tweets, {Enqueued} enqueued, newest id {NewestId}")]
    public static partial void PollFinished(ILogger logger, string source, string query, int pages, long tweets, long enqueued, long? newestId);

    [LoggerMessage(2011, LogLevel.Error, "{Source} poll for {Query} failed; the next poll in {PollInterval} continues from the checkpoint")]
    public static partial void PollFailed(ILogger logger, string source, string query, TimeSpan pollInterval, Exception exception);

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

    [LoggerMessage(2018, LogLevel.Information, "{Source} for {Query} has collected its whole range {Range}; the collector stops")]
    public static partial void SearchRangeFinished(ILogger logger, string source, string query, string range);

    [LoggerMessage(2019, LogLevel.Error, "The monthly post cap of the X API project is used up ({Detail}): no posts can be read until it resets. Waiting {Wait} until {ResumeAt:O} before the next request; set Collector__UsageCapRetryAfter to change the wait")]
    public static partial void UsageCapExhausted(ILogger logger, string detail, TimeSpan wait, DateTimeOffset resumeAt);

    [LoggerMessage(2020, LogLevel.Warning, "The monthly post cap of the X API project is still used up; waiting another {Wait} until {ResumeAt:O}")]
    public static partial void UsageCapStillExhausted(ILogger logger, TimeSpan wait, DateTimeOffset resumeAt);

    [LoggerMessage(2021, LogLevel.Information, "Filtered-stream rules synced: {Added} added, {Deleted} deleted, {Unchanged} unchanged")]
    public static partial void StreamRulesSynced(ILogger logger, int added, int deleted, int unchanged);

    [LoggerMessage(2022, LogLevel.Information, "Filtered-stream rule added: id {RuleId}, value {Value}, tag {Tag}")]
    public static partial void StreamRuleAdded(ILogger logger, string ruleId, string value, string? tag);

    [LoggerMessage(2023, LogLevel.Information, "Filtered-stream rule deleted because the configuration does not declare it: id {RuleId}, value {Value}, tag {Tag}")]
    public static partial void StreamRuleDeleted(ILogger logger, string ruleId, string value, string? tag);

    [LoggerMessage(2024, LogLevel.Critical, "{Message}")]
    public static partial void StreamRulesRejected(ILogger logger, string message);

    [LoggerMessage(2025, LogLevel.Information, "Filtered stream connection {Connection} opened")]
    public static partial void StreamConnected(ILogger logger, string connection);

    [LoggerMessage(2026, LogLevel.Warning, "Filtered stream connection {Connection} ended ({Reason}); reconnecting in {Wait}")]
    public static partial void StreamDisconnected(ILogger logger, string connection, string reason, TimeSpan wait);

    [LoggerMessage(2027, LogLevel.Warning, "Connecting to the filtered stream failed ({Reason}); next try in {Wait}")]
    public static partial void StreamConnectFailed(ILogger logger, string reason, TimeSpan wait);

    [LoggerMessage(2028, LogLevel.Warning, "The X API closed filtered stream connection {Connection} for operational reasons ({DisconnectType}: {Detail})")]
    public static partial void StreamOperationalDisconnect(ILogger logger, string connection, string disconnectType, string? detail);

    [LoggerMessage(2029, LogLevel.Warning, "Line {Line} of filtered stream connection {Connection} is not a stream message and was set aside in collector.rejected_lines: {Error}")]
    public static partial void StreamLineRejected(ILogger logger, string connection, long line, string error);

    [LoggerMessage(2030, LogLevel.Trace, "Keep-alive on filtered stream connection {Connection}")]
    public static partial void StreamKeepAlive(ILogger logger, string connection);

    [LoggerMessage(2031, LogLevel.Warning, "Filtered stream connection {Connection} sent an error: {Title}: {Detail} ({Type})")]
    public static partial void StreamErrorMessage(ILogger logger, string connection, string? title, string? detail, string? type);

    [LoggerMessage(2032, LogLevel.Error, "Committing a batch of {Tweets} stream tweets failed; retry {Attempt} in {Delay}, with the stream held back meanwhile")]
    public static partial void StreamCommitFailed(ILogger logger, int tweets, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(2033, LogLevel.Information, "Filtered stream stopped: {Connections} connections, {Tweets} tweets committed, {Enqueued} enqueued, {Rejected} lines rejected")]
    public static partial void StreamStopped(ILogger logger, int connections, long tweets, long enqueued, long rejected);

    [LoggerMessage(2034, LogLevel.Warning, "Reading or changing the filtered-stream rules failed ({Reason}); next try in {Wait}")]
    public static partial void StreamRulesSyncFailed(ILogger logger, string reason, TimeSpan wait);

    [LoggerMessage(2060, LogLevel.Debug, "Committed compliance results of {File} up to line {Line}: {Deletions} deletions, {Enqueued} enqueued")]
    public static partial void ComplianceResultsCommitted(ILogger logger, string file, long line, int deletions, int enqueued);

    [LoggerMessage(2061, LogLevel.Information, "{Source} deletions: {Deletions} read, {Enqueued} enqueued, {Unchanged} already enqueued")]
    public static partial void DeletionsFinished(ILogger logger, string source, long deletions, long enqueued, long unchanged);

    [LoggerMessage(2070, LogLevel.Information, "Synthetic source resuming after page {Page} of {Pages}, from its checkpoint")]
    public static partial void SyntheticResuming(ILogger logger, int page, int pages);
}
