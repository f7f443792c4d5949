namespace Pipeline.PostgresWriter;

/// <summary>
/// The tweets, users, media, places, polls and deletions of one queue batch, one observation per
/// id. One upsert statement cannot touch a row twice, so observations of the same id are merged
/// here first. The newest observation wins. At equal collection times a tweet's own message wins
/// over a referenced copy, and otherwise the later message wins. Of two deletions of one id the
/// first reported wins, as in <c>deleted_tweets</c>.
/// </summary>
internal sealed class TweetBatch
{
    private readonly Dictionary<long, TweetObservation> tweets = [];
    private readonly Dictionary<long, UserObservation> users = [];
    private readonly Dictionary<string, MediaObservation> media = [];
    private readonly Dictionary<string, PlaceObservation> places = [];
    private readonly Dictionary<long, PollObservation> polls = [];
    private readonly Dictionary<long, DeletionObservation> deletions = [];

    /// <summary>The number of messages added.</summary>
    public int MessageCount { get; private set; }

    /// <summary>True when no message was added.</summary>
    public bool IsEmpty => MessageCount == 0;

    /// <summary>The merged tweets, ordered by id so that concurrent writers lock rows in the same order.</summary>
    public IReadOnlyList<TweetObservation> Tweets => [.. tweets.Values.OrderBy(t => t.Tweet.Id)];

    /// <summary>The merged users, ordered by id.</summary>
    public IReadOnlyList<UserObservation> Users => [.. users.Values.OrderBy(u => u.User.Id)];

    /// <summary>The merged media objects, ordered by key.</summary>
    public IReadOnlyList<MediaObservation> Media => [.. media.Values.OrderBy(m => m.MediaKey, StringComparer.Ordinal)];

    /// <summary>The merged places, ordered by id.</summary>
    public IReadOnlyList<PlaceObservation> Places => [.. places.Values.OrderBy(p => p.Id, StringComparer.Ordinal)];

    /// <summary>The merged polls, ordered by id.</summary>
    public IReadOnlyList<PollObservation> Polls => [.. polls.Values.OrderBy(p => p.Id)];

    /// <summary>The deletions, one per tweet id, ordered by id.</summary>
    public IReadOnlyList<DeletionObservation> Deletions => [.. deletions.Values.OrderBy(d => d.TweetId)];

    /// <summary>Adds the content of one message, which wins ties against earlier messages.</summary>
    public void Add(EnvelopeContent content)
    {
        MessageCount++;
        if (content.Deletion is { } deletion)
        {
            deletions.TryAdd(deletion.TweetId, deletion);
        }

        AddNewest(media, content.Media, m => m.MediaKey, m => m.ObservedAt);
        AddNewest(places, content.Places, p => p.Id, p => p.ObservedAt);
        AddNewest(polls, content.Polls, p => p.Id, p => p.ObservedAt);

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

    private static void AddNewest<TKey, T>(Dictionary<TKey, T> stored, IReadOnlyList<T> incoming, Func<T, TKey> key, Func<T, DateTimeOffset> observedAt)
        where TKey : notnull
    {
        foreach (var item in incoming)
        {
            if (!stored.TryGetValue(key(item), out var existing) || observedAt(item) >= observedAt(existing))
            {
                stored[key(item)] = item;
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
