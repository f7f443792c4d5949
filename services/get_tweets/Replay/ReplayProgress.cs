using Microsoft.Extensions.Logging;
using Pipeline.GetTweets.Delivery;

namespace Pipeline.GetTweets.Replay;

/// <summary>The counters of one replay or import, logged as progress lines and as the closing summary.</summary>
internal sealed class ReplayProgress(TimeProvider timeProvider, TimeSpan interval, ILogger logger)
{
    private readonly long startedAt = timeProvider.GetTimestamp();
    private long lastLoggedAt = timeProvider.GetTimestamp();

    public int Files { get; set; }

    public long Pages { get; private set; }

    public long Tweets { get; private set; }

    public long Enqueued { get; private set; }

    public long RejectedLines { get; private set; }

    public long Deletions { get; private set; }

    public long EnqueuedDeletions { get; private set; }

    public long PartialErrors { get; private set; }

    public TimeSpan Elapsed => timeProvider.GetElapsedTime(startedAt);

    /// <summary>Counts a committed page.</summary>
    public void AddPage(PageCommit commit, int partialErrors)
    {
        Pages++;
        Tweets += commit.Tweets;
        Enqueued += commit.Enqueued;
        Deletions += commit.Deletions;
        EnqueuedDeletions += commit.EnqueuedDeletions;
        PartialErrors += partialErrors;
        LogWhenDue();
    }

    /// <summary>Counts a line that was set aside.</summary>
    public void AddRejectedLine()
    {
        RejectedLines++;
        LogWhenDue();
    }

    /// <summary>Logs the closing summary.</summary>
    public void LogSummary(string source)
    {
        Log.ReplayFinished(logger, source, Files, Pages, Tweets, Enqueued, Tweets - Enqueued, RejectedLines, PartialErrors, Elapsed);
        if (Deletions > 0)
        {
            Log.DeletionsFinished(logger, source, Deletions, EnqueuedDeletions, Deletions - EnqueuedDeletions);
        }
    }

    private void LogWhenDue()
    {
        if (timeProvider.GetElapsedTime(lastLoggedAt) < interval)
        {
            return;
        }

        lastLoggedAt = timeProvider.GetTimestamp();
        var seconds = Math.Max(Elapsed.TotalSeconds, 0.001);
        Log.Progress(logger, Pages, Tweets, Enqueued, RejectedLines, Tweets / seconds);
    }
}
