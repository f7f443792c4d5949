namespace Pipeline.GetTweets.Delivery;

/// <summary>
/// How far one source got, stored per source key in <c>collector.checkpoints</c>. A file source
/// fills the file fields; a search source fills the id and token fields.
/// </summary>
/// <param name="NewestId">The newest tweet id of the last finished poll: the next poll's <c>since_id</c>.</param>
/// <param name="PollNewestId">While a poll is paging, the newest id it has collected so far.</param>
/// <param name="NextToken">While a poll is paging, the token of the page to fetch next.</param>
/// <param name="FilePath">The full path of the file.</param>
/// <param name="FileFingerprint">The SHA-256 of the file's first line, which distinguishes a replaced file from the one read before.</param>
/// <param name="LineNumber">The last line (1-based) whose tweets committed; reading resumes after it.</param>
internal sealed record Checkpoint(
    long? NewestId = null,
    long? PollNewestId = null,
    string? NextToken = null,
    string? FilePath = null,
    byte[]? FileFingerprint = null,
    long? LineNumber = null);

/// <summary>An input line that is not a response page, set aside in <c>collector.rejected_lines</c>.</summary>
internal sealed record RejectedLine(string FilePath, long LineNumber, string Error, string RawText);

/// <summary>What one committed page did: how many tweets and deletions it held and how many of them were new or changed and so enqueued.</summary>
internal readonly record struct PageCommit(int Tweets, int Enqueued, int Deletions = 0, int EnqueuedDeletions = 0)
{
    /// <summary>Tweets skipped because the collector had already enqueued the identical JSON.</summary>
    public int Unchanged => Tweets - Enqueued;
}
