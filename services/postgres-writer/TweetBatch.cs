namespace Pipeline.PostgresWriter;

/// <summary>
/// The tweets and users of one queue batch, one observation per id. One upsert statement cannot
/// touch a row twice, so observations of the same id are merged here first. The newest
/// observation wins. At equal collection times a tweet's own message wins over a referenced
/// copy, and otherwise the later message wins.
/// </summary>
internal sealed class TweetBatch
{
    private readonly Dictionary<long, TweetObservation> tweets = [];
    private readonly Dictionary<long, UserObservation> users = [];

    /// <summary>The number of messages added.</summary>
    public int MessageCount { get; private set; }

    /// <summary>True when no message was added.</summary>
    public bool IsEmpty => MessageCount == 0;

    /// <summary>The merged tweets, ordered by id so that concurrent writers lock rows in the same order.</summary>
    public IReadOnlyList<TweetObservation> Tweets => [.. tweets.Values.OrderBy(t => t.Tweet.Id)];

    /// <summary>The merged users, ordered by id.</summary>
    public IReadOnlyList<UserObservation> Users => [.. users.Values.OrderBy(u => u.User.Id)];

    /// <summary>Adds the content of one message, which wins ties against earlier messages.</summary>
    public void Add(EnvelopeContent content)
    {
        MessageCount++;
        foreach (var tweet in content.Tweets)
        {
            tweets[tweet.Tweet.Id] = tweets.TryGetValue(tweet.Tweet.Id, out var stored) ? Merge(stored, tweet) : tweet;
        }

        foreach (var user in content.Users)
        {
            if (!users.TryGetValue(user.User.Id, out var stored) || user.ObservedAt >= stored.ObservedAt)
            {
                users[user.User.Id] = user;
            }
        }
    }

    private static TweetObservation Merge(TweetObservation stored, TweetObservation incoming)
    {
        var incomingWins = incoming.CollectedAt > stored.CollectedAt
            || (incoming.CollectedAt == stored.CollectedAt && (!incoming.ReferencedOnly || stored.ReferencedOnly));
        var winner = incomingWins ? incoming : stored;
        var loser = incomingWins ? stored : incoming;

        // Once any message of the batch was the tweet's own, the row is no longer a mere reference.
        // A retweet is scored on its original's text when any message included the original,
        // because the retweet's own text is cut.
        return winner with
        {
            ReferencedOnly = stored.ReferencedOnly && incoming.ReferencedOnly,
            RetweetedOriginalText = winner.RetweetedOriginalText ?? loser.RetweetedOriginalText,
        };
    }
}
