using System.Text.RegularExpressions;

namespace Pipeline.Core.Queue;

/// <summary>Settings of a queue subscriber, bound from the <c>Queue</c> configuration section.</summary>
public sealed partial class QueueConsumerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Queue";

    /// <summary>The default batch size in messages.</summary>
    public const int DefaultBatchSize = 500;

    /// <summary>The default number of attempts before a message is dead-lettered.</summary>
    public const int DefaultMaxAttempts = 5;

    /// <summary>The longest lease a claim may carry; a killed consumer's batch comes back within it.</summary>
    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>The subscription name, one per kind of subscriber (every replica uses the same).</summary>
    public string Subscription { get; set; } = "";

    /// <summary>Where a new subscription starts: <c>Oldest</c> retained message or <c>Now</c>.</summary>
    public SubscriptionStart Start { get; set; } = SubscriptionStart.Oldest;

    /// <summary>The most messages claimed at once.</summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>How long a claim is held before another consumer may take it; renewed at a third of it while work goes on.</summary>
    public TimeSpan LeaseDuration { get; set; } = MaxLeaseDuration;

    /// <summary>How often to look for work when no notification arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts in all before a failing message moves to the dead letters.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>The wait before the first retry of a failed message; it doubles with each attempt.</summary>
    public TimeSpan RetryBackoffBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries of a failed message.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The retry policy these settings describe.</summary>
    public RetryPolicy RetryPolicy => new(MaxAttempts, RetryBackoffBase, RetryBackoffMax);

    /// <summary>Returns the errors of settings that attributes cannot check, each naming the bad value.</summary>
    public IEnumerable<string> Validate()
    {
        if (!SubscriptionName().IsMatch(Subscription))
        {
            yield return $"Queue:Subscription is '{Subscription}'; it must be 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit.";
        }

        if (BatchSize is < 1 or > 10_000)
        {
            yield return $"Queue:BatchSize is {BatchSize}; it must be from 1 to 10000.";
        }

        if (MaxAttempts is < 1 or > 1000)
        {
            yield return $"Queue:MaxAttempts is {MaxAttempts}; it must be from 1 to 1000.";
        }

        if (LeaseDuration <= TimeSpan.Zero || LeaseDuration > MaxLeaseDuration)
        {
            yield return $"Queue:LeaseDuration is {LeaseDuration}; it must be above 0 and at most {MaxLeaseDuration}.";
        }

        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromSeconds(1))
        {
            yield return $"Queue:PollInterval is {PollInterval}; it must be above 0 and at most 1 second.";
        }

        if (RetryBackoffBase < TimeSpan.Zero || RetryBackoffMax < RetryBackoffBase)
        {
            yield return $"Queue:RetryBackoffBase ({RetryBackoffBase}) must be at least 0 and at most Queue:RetryBackoffMax ({RetryBackoffMax}).";
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex SubscriptionName();
}
