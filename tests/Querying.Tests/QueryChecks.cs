using System.Text.RegularExpressions;
using Pipeline.Vader;

namespace Pipeline.Querying.Tests;

/// <summary>
/// The expected answer of each question in <c>docs/querying.md</c>, computed from the source
/// pages by the question's check key. Every key in the document needs an entry here, and every
/// entry a question in the document.
/// </summary>
public static partial class QueryChecks
{
    private static readonly DateTimeOffset Day = new(2021, 9, 22, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The expected answers by check key.</summary>
    public static IReadOnlyDictionary<string, Func<SourceCorpus, Answer>> Expected { get; } = new Dictionary<string, Func<SourceCorpus, Answer>>
    {
        ["posts-counted-once"] = corpus => Answer.Of(
            ["posts"], [],
            [[(long)corpus.Current.Select(t => t.EditChainId).Distinct().Count()]]),

        ["hashtags-per-hour"] = corpus => Answer.Of(
            ["hour", "tag", "tweets"], ["hour", "tweets"],
            OnDay(corpus)
                .Where(t => corpus.Matched.Contains(t.Id))
                .SelectMany(t => t.Hashtags.Select(h => h.ToLowerInvariant()).Distinct().Select(tag => (Hour: Hour(t.CreatedAt), Tag: tag)))
                .GroupBy(x => x)
                .Where(g => g.Count() >= 5)
                .OrderBy(g => g.Key.Hour).ThenByDescending(g => g.Count())
                .Select(g => new object?[] { g.Key.Hour, g.Key.Tag, (long)g.Count() })),

        ["most-retweeted"] = corpus => Answer.Of(
            ["id", "username", "retweet_count"], ["retweet_count"],
            Answer.Top(
                [.. corpus.Current
                    .Where(t => t.RetweetedId is null)
                    .OrderByDescending(t => t.RetweetCount ?? long.MinValue).ThenBy(t => t.Id)
                    .Select(t => new object?[] { t.Id, corpus.AuthorName(t), t.RetweetCount })],
                5,
                row => row[2])),

        ["user-timeline"] = corpus => Answer.Of(
            ["id", "created_at", "full_text"], ["created_at", "id"],
            corpus.Current
                .Where(t => corpus.AuthorName(t) == "itsLIVEofficial")
                .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
                .Select(t => new object?[] { t.Id, t.CreatedAt, t.FullText })),

        ["conversation-replies"] = corpus => Answer.Of(
            ["id", "created_at", "parent_id", "depth"], [],
            corpus.Current
                .Where(t => t.ConversationId == 1440714884245700615 && t.RetweetedId is null)
                .Select(t => new object?[] { t.Id, t.CreatedAt, t.RepliedToId, Depth(corpus, t) }),
            mongoColumns: ["id", "created_at", "parent_id"]),

        ["top-tweets-of-day"] = corpus => Answer.Of(
            ["id", "username", "engagement"], ["engagement"],
            Answer.Top(
                [.. OnDay(corpus)
                    .Where(t => t.RetweetedId is null && !corpus.Deletions.ContainsKey(t.Id))
                    .OrderByDescending(t => t.Engagement).ThenByDescending(t => t.Id)
                    .Select(t => new object?[] { t.Id, corpus.AuthorName(t), t.Engagement })],
                5,
                row => row[2])),

        ["media-types"] = corpus => Answer.Of(
            ["type", "tweets"], ["tweets"],
            corpus.Current
                .SelectMany(t => t.MediaKeys.Where(corpus.MediaTypes.ContainsKey).Select(key => corpus.MediaTypes[key]).Distinct().Select(type => (Type: type, t.Id)))
                .GroupBy(x => x.Type)
                .OrderByDescending(g => g.Count())
                .Select(g => new object?[] { g.Key, (long)g.Count() })),

        ["posts-with-place"] = corpus => Answer.Of(
            ["id", "full_name", "country_code"], ["id"],
            corpus.Current
                .Where(t => t.PlaceId is { } place && corpus.Places.ContainsKey(place))
                .OrderBy(t => t.Id)
                .Select(t => new object?[] { t.Id, corpus.Places[t.PlaceId!].FullName, corpus.Places[t.PlaceId!].CountryCode })),

        ["poll-results"] = corpus => Answer.Of(
            ["id", "poll_id", "position", "label", "votes"], ["poll_id", "position"],
            corpus.Current
                .SelectMany(t => t.PollIds.Where(corpus.PollOptions.ContainsKey).SelectMany(poll => corpus.PollOptions[poll].Select(o => (Tweet: t.Id, Poll: poll, Option: o))))
                .OrderBy(x => x.Poll).ThenBy(x => x.Option.Position)
                .Select(x => new object?[] { x.Tweet, x.Poll, x.Option.Position, x.Option.Label, x.Option.Votes })),

        ["deleted-posts"] = corpus => Answer.Of(
            ["id", "deletion_reason"], ["id"],
            corpus.Tweets.Values
                .Where(t => corpus.Deletions.ContainsKey(t.Id))
                .OrderBy(t => t.Id)
                .Select(t => new object?[] { t.Id, corpus.Deletions[t.Id] })),

        ["posts-per-language"] = corpus => Answer.Of(
            ["lang", "tweets"], ["tweets"],
            corpus.Current
                .GroupBy(t => t.Lang)
                .OrderByDescending(g => g.Count())
                .Select(g => new object?[] { g.Key, (long)g.Count() })),

        ["full-text-search"] = corpus => Answer.Of(
            ["id", "full_text"], ["id"],
            corpus.Current
                .Where(t => Johnson().IsMatch(t.FullText))
                .OrderBy(t => t.Id)
                .Select(t => new object?[] { t.Id, t.FullText })),

        ["edit-versions"] = corpus =>
        {
            var versions = corpus.Current.Where(t => t.EditChainId == 1576994746135764992).OrderBy(t => t.Id).ToList();
            return Answer.Of(
                ["id", "is_latest", "full_text"], ["id"],
                versions.Select(t => new object?[] { t.Id, t.Id == versions[^1].Id, t.FullText }),
                mongoColumns: ["id", "full_text"]);
        },

        ["retweet-original-text"] = corpus => Answer.Of(
            ["id", "original_id", "original_text"], ["id"],
            corpus.Current
                .Where(t => t.RetweetedId is { } original && corpus.Tweets.ContainsKey(original))
                .OrderBy(t => t.Id)
                .Select(t => new object?[] { t.Id, t.RetweetedId, corpus.Tweets[t.RetweetedId!.Value].FullText })),

        ["most-active-authors"] = corpus => Answer.Of(
            ["username", "tweets"], ["tweets"],
            Answer.Top(
                [.. corpus.Current
                    .Where(t => corpus.AuthorName(t) is not null)
                    .GroupBy(t => corpus.AuthorName(t))
                    .OrderByDescending(g => g.Count())
                    .Select(g => new object?[] { g.Key, (long)g.Count() })],
                4,
                row => row[1])),

        ["most-mentioned"] = corpus => Answer.Of(
            ["username", "mentions"], ["mentions"],
            Answer.Top(
                [.. corpus.Current
                    .SelectMany(t => t.Mentions)
                    .GroupBy(m => m.ToLowerInvariant())
                    .OrderByDescending(g => g.Count())
                    .Select(g => new object?[] { g.Key, (long)g.Count() })],
                5,
                row => row[1])),

        ["linked-sites"] = corpus => Answer.Of(
            ["host", "links"], ["links"],
            Answer.Top(
                [.. corpus.Current
                    .SelectMany(t => t.Urls)
                    .Select(u => (u.UnwoundUrl ?? u.ExpandedUrl) is { } link && Host().Match(link) is { Success: true } match ? match.Groups[1].Value : null)
                    .GroupBy(host => host)
                    .OrderByDescending(g => g.Count())
                    .Select(g => new object?[] { g.Key, (long)g.Count() })],
                5,
                row => row[1])),

        ["sentiment-per-hashtag-hour"] = corpus => Answer.Of(
            ["hour", "tag", "tweets", "mean_compound"], ["hour"],
            OnDay(corpus)
                .SelectMany(t => t.Hashtags.Select(h => h.ToLowerInvariant()).Distinct()
                    .Where(tag => tag is "brexit" or "kpop")
                    .Select(tag => (Hour: Hour(t.CreatedAt), Tag: tag, Compound: Compound(corpus, t))))
                .GroupBy(x => (x.Hour, x.Tag))
                .OrderBy(g => g.Key.Hour)
                .Select(g => new object?[] { g.Key.Hour, g.Key.Tag, (long)g.Count(), g.Average(x => x.Compound) })),

        ["most-negative-of-day"] = corpus => Answer.Of(
            ["id", "compound", "label"], ["compound"],
            Answer.Top(
                [.. OnDay(corpus)
                    .Where(t => t.RetweetedId is null)
                    .Select(t => (Tweet: t, Scores: VaderScorer.Default.Score(corpus.ScoredText(t))))
                    .OrderBy(x => x.Scores.Compound).ThenBy(x => x.Tweet.Id)
                    .Select(x => new object?[] { x.Tweet.Id, x.Scores.Compound, x.Scores.Label.ToString().ToLowerInvariant() })],
                5,
                row => row[1])),
    };

    private static IEnumerable<SourceTweet> OnDay(SourceCorpus corpus) =>
        corpus.Current.Where(t => t.CreatedAt >= Day && t.CreatedAt < Day.AddDays(1));

    // Replies from the first stored tweet of the chain, as reply_threads counts them.
    private static long Depth(SourceCorpus corpus, SourceTweet tweet)
    {
        var depth = 0L;
        while (tweet.RepliedToId is { } parent && corpus.Tweets.TryGetValue(parent, out var parentTweet) && !corpus.Deletions.ContainsKey(parent))
        {
            depth++;
            tweet = parentTweet;
        }

        return depth;
    }

    private static DateTimeOffset Hour(DateTimeOffset time) =>
        new(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);

    private static double Compound(SourceCorpus corpus, SourceTweet tweet) =>
        VaderScorer.Default.Score(corpus.ScoredText(tweet)).Compound;

    // The word on its own, as both full-text engines split words: not inside a longer word.
    [GeneratedRegex(@"(?<![\p{L}\p{N}])johnson(?![\p{L}\p{N}])", RegexOptions.IgnoreCase)]
    private static partial Regex Johnson();

    [GeneratedRegex("^https?://([^/]+)")]
    private static partial Regex Host();
}
