using Prometheus;

namespace Pipeline.Core.Hosting;

/// <summary>
/// What the collector reports for <c>/metrics</c> and <c>/healthz</c>: pages and tweets per kind of
/// source, the X API rate-limit state, and its progress. Every committed page counts as progress.
/// A planned wait (between polls, or for the rate limit) means that no page is due before the
/// wait ends, and the health check allows for it.
/// </summary>
public sealed class CollectorMetrics
{
    private static readonly string[] SourceLabel = ["source"];

    private readonly TimeProvider timeProvider;
    private readonly Lock gate = new();
    private readonly Counter pages;
    private readonly Counter collected;
    private readonly Counter enqueued;
    private readonly Gauge rateLimitRemaining;
    private readonly Gauge rateLimitReset;
    private readonly Counter rateLimitWaits;
    private readonly Counter rateLimitWaitSeconds;
    private readonly Gauge lastProgress;
    private DateTimeOffset? lastProgressAt;
    private DateTimeOffset? quietUntil;

    /// <summary>Creates the metrics in the host's registry.</summary>
    public CollectorMetrics(PipelineMetrics metrics, TimeProvider timeProvider)
    {
        this.timeProvider = timeProvider;
        var factory = metrics.Factory;
        pages = factory.CreateCounter(
            "pipeline_collector_pages_total",
            "X API response pages the collector committed, by kind of source (the checkpoint key before its colon).",
            SourceLabel);
        collected = factory.CreateCounter(
            "pipeline_tweets_collected_total",
            "Tweets read from committed pages, enqueued or not.",
            SourceLabel);
        enqueued = factory.CreateCounter(
            "pipeline_tweets_enqueued_total",
            "Tweets enqueued because the collector had not enqueued them before with the same JSON.",
            SourceLabel);

        // Unset until the first response that carries the x-rate-limit-* headers.
        var unsetUntilRead = new GaugeConfiguration { SuppressInitialValue = true };
        rateLimitRemaining = factory.CreateGauge(
            "pipeline_x_api_rate_limit_remaining",
            "Requests left in the current X API rate-limit window, from the last x-rate-limit-remaining header.",
            unsetUntilRead);
        rateLimitReset = factory.CreateGauge(
            "pipeline_x_api_rate_limit_reset_timestamp_seconds",
            "When the current X API rate-limit window ends, from the last x-rate-limit-reset header, in Unix seconds.",
            unsetUntilRead);
        rateLimitWaits = factory.CreateCounter(
            "pipeline_x_api_rate_limit_waits_total",
            "Times the collector paused because the X API rate limit was reached.");
        rateLimitWaitSeconds = factory.CreateCounter(
            "pipeline_x_api_rate_limit_wait_seconds_total",
            "Seconds the collector spent waiting for the X API rate limit.");
        lastProgress = factory.CreateGauge(
            "pipeline_collector_last_progress_timestamp_seconds",
            "When the collector last committed a page, in Unix seconds.",
            unsetUntilRead);
    }

    /// <summary>When the collector last committed a page, or null before the first.</summary>
    public DateTimeOffset? LastProgressAt
    {
        get
        {
            lock (gate)
            {
                return lastProgressAt;
            }
        }
    }

    /// <summary>The end of the planned wait that started last, or null when none did.</summary>
    public DateTimeOffset? QuietUntil
    {
        get
        {
            lock (gate)
            {
                return quietUntil;
            }
        }
    }

    /// <summary>Counts a committed page of <paramref name="sourceKey"/> (such as <c>file:/app/sample/a.jsonl</c>) and records progress.</summary>
    public void PageCommitted(string sourceKey, int tweets, int enqueuedTweets)
    {
        var separator = sourceKey.IndexOf(':', StringComparison.Ordinal);
        var source = separator < 0 ? sourceKey : sourceKey[..separator];
        pages.WithLabels(source).Inc();
        collected.WithLabels(source).Inc(tweets);
        enqueued.WithLabels(source).Inc(enqueuedTweets);

        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            lastProgressAt = now;
        }

        lastProgress.Set(PipelineMetrics.UnixSeconds(now));
    }

    /// <summary>Records the rate-limit headers of an X API response; a missing header leaves its gauge as it was.</summary>
    public void RateLimitRead(int? remaining, DateTimeOffset? resetAt)
    {
        if (remaining is { } left)
        {
            rateLimitRemaining.Set(left);
        }

        if (resetAt is { } reset)
        {
            rateLimitReset.Set(reset.ToUnixTimeSeconds());
        }
    }

    /// <summary>Counts a rate-limit wait of <paramref name="wait"/> that starts now; no page is due before it ends.</summary>
    public void RateLimitWaitStarted(TimeSpan wait)
    {
        rateLimitWaits.Inc();
        rateLimitWaitSeconds.Inc(Math.Max(wait.TotalSeconds, 0));
        Waiting(wait);
    }

    /// <summary>Records a planned wait of <paramref name="wait"/> that starts now, such as the pause between two polls.</summary>
    public void Waiting(TimeSpan wait)
    {
        var until = timeProvider.GetUtcNow() + wait;
        lock (gate)
        {
            quietUntil = until;
        }
    }
}
