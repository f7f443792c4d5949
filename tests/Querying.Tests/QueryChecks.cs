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
            [[(long)corpus.Tweets.Values.Select(t => t.EditChainId).Distinct().Count()]]),

        ["hashtags-per-hour"] = corpus => Answer.Of(
            ["hour", "tag", "tweets"], ["hour", "tweets"],
            OnDay(corpus)
                .SelectMany(t => t.Hashtags.Select(h => h.ToLowerInvariant()).Distinct().Select(tag => (Hour: Hour(t.CreatedAt), Tag: tag)))
                .GroupBy(x => x)
                .Where(g => g.Count() >= 5)
                .OrderBy(g => g.Key.Hour).ThenByDescending(g => g.Count())
                .Select(g => new object?[] { g.Key.Hour, g.Key.Tag, (long)g.Count() })),

        ["most-retweeted"] = corpus => Answer.Of(
            ["id", "username", "retweet_count"], ["retweet_count"],
            Answer.Top(
                [.. corpus.Tweets.Values
                    .Where(t => t.RetweetedId is null)
                    .OrderByDescending(t => t.RetweetCount ?? long.MinValue).ThenBy(t => t.Id)
                    .Select(t => new object?[] { t.Id, corpus.AuthorName(t), t.RetweetCount })],
                5,
                row => row[2])),

        ["user-timeline"] = corpus => Answer.Of(
            ["id", "created_at", "full_text"], ["created_at", "id"],
            corpus.Tweets.Values
                .Where(t => corpus.AuthorName(t) == "itsLIVEofficial")
                .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
                .Select(t => new object?[] { t.Id, t.CreatedAt, t.FullText })),

        ["conversation-replies"] = corpus => Answer.Of(
            ["id", "created_at", "parent_id"], ["created_at", "id"],
            corpus.Tweets.Values
                .Where(t => t.ConversationId == 1440714884245700615)
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
                .Select(t => new object?[] { t.Id, t.CreatedAt, t.RepliedToId })),

        ["posts-per-language"] = corpus => Answer.Of(
            ["lang", "tweets"], ["tweets"],
            corpus.Tweets.Values
                .GroupBy(t => t.Lang)
                .OrderByDescending(g => g.Count())
                .Select(g => new object?[] { g.Key, (long)g.Count() })),

        ["full-text-search"] = corpus => Answer.Of(
            ["id", "full_text"], ["id"],
            corpus.Tweets.Values
                .Where(t => Johnson().IsMatch(t.FullText))
                .OrderBy(t => t.Id)
                .Select(t => new object?[] { t.Id, t.FullText })),

        ["edit-versions"] = corpus =>
        {
            var versions = corpus.Tweets.Values.Where(t => t.EditChainId == 1576994746135764992).OrderBy(t => t.Id).ToList();
            return Answer.Of(
                ["id", "is_latest", "full_text"], ["id"],
                versions.Select(t => new object?[] { t.Id, t.Id == versions[^1].Id, t.FullText }),
                mongoColumns: ["id", "full_text"]);
        },

        ["retweet-original-text"] = corpus => Answer.Of(
            ["id", "original_id", "original_text"], ["id"],
            corpus.Tweets.Values
                .Where(t => t.RetweetedId is { } original && corpus.Tweets.ContainsKey(original))
                .OrderBy(t => t.Id)
                .Select(t => new object?[] { t.Id, t.RetweetedId, corpus.Tweets[t.RetweetedId!.Value].FullText })),

        ["most-active-authors"] = corpus => Answer.Of(
            ["username", "tweets"], ["tweets"],
            Answer.Top(
                [.. corpus.Tweets.Values
                    .Where(t => corpus.AuthorName(t) is not null)
                    .GroupBy(t => corpus.AuthorName(t))
                    .OrderByDescending(g => g.Count())
                    .Select(g => new object?[] { g.Key, (long)g.Count() })],
                4,
                row => row[1])),

        ["most-mentioned"] = corpus => Answer.Of(
            ["username", "mentions"], ["mentions"],
            Answer.Top(
                [.. corpus.Tweets.Values
                    .SelectMany(t => t.Mentions)
                    .GroupBy(m => m.ToLowerInvariant())
                    .OrderByDescending(g => g.Count())
                    .Select(g => new object?[] { g.Key, (long)g.Count() })],
                5,
                row => row[1])),

        ["linked-sites"] = corpus => Answer.Of(
            ["host", "links"], ["links"],
            Answer.Top(
                [.. corpus.Tweets.Values
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
        corpus.Tweets.Values.Where(t => t.CreatedAt >= Day && t.CreatedAt < Day.AddDays(1));

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
