using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Pipeline.Core.Tweets;
using Pipeline.Vader;

namespace Pipeline.Slackbot;

/// <summary>
/// Decides which tweets the bot posts on their own. Each configured kind of rule must hold: the
/// topic (any keyword or any hashtag), the language (any of the languages), the sentiment (any
/// of the labels) and the minimum engagement. A kind that is not configured does not restrict. With no rule at all no tweet
/// matches, and only the digest posts. Retweets never match: their text is cut and their
/// original is posted when it is collected itself and matches.
/// </summary>
internal sealed class TweetRules
{
    private readonly List<string> keywords;
    private readonly HashSet<string> hashtags;
    private readonly HashSet<string> languages;
    private readonly HashSet<string> sentiments;
    private readonly long? minEngagement;

    /// <summary>Creates the rules from normalised settings: hashtags without <c>#</c>, language codes in lower case.</summary>
    public TweetRules(IOptions<SlackOptions> options)
    {
        var settings = options.Value;
        keywords = settings.Keywords;
        hashtags = new HashSet<string>(settings.Hashtags, StringComparer.OrdinalIgnoreCase);
        languages = new HashSet<string>(settings.Languages, StringComparer.OrdinalIgnoreCase);
        sentiments = new HashSet<string>(settings.Sentiments, StringComparer.OrdinalIgnoreCase);
        minEngagement = settings.MinEngagement;
        IsEmpty = keywords.Count == 0 && hashtags.Count == 0 && languages.Count == 0 && sentiments.Count == 0 && minEngagement is null;
    }

    /// <summary>True when no rule is configured, so no tweet is posted on its own.</summary>
    public bool IsEmpty { get; }

    /// <summary>Returns the configured rules in one line for the start-up log, such as <c>keywords [brexit] and languages [en]</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (keywords.Count > 0 || hashtags.Count > 0)
        {
            var topics = keywords.Select(keyword => $"'{keyword}'").Concat(hashtags.Select(tag => $"#{tag}"));
            parts.Add($"any of [{string.Join(", ", topics)}]");
        }

        if (languages.Count > 0)
        {
            parts.Add($"languages [{string.Join(", ", languages)}]");
        }

        if (sentiments.Count > 0)
        {
            parts.Add($"sentiment [{string.Join(", ", sentiments)}]");
        }

        if (minEngagement is { } min)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"likes + retweets + quotes + replies >= {min}"));
        }

        return parts.Count == 0 ? "no rule (no tweet is posted on its own)" : string.Join(" and ", parts);
    }

    /// <summary>Returns true when the tweet satisfies every configured kind of rule.</summary>
    /// <param name="tweet">The parsed tweet.</param>
    /// <param name="fullTextHashtags">The hashtags of the full text, from <see cref="TweetEntities.ParseFullText"/>.</param>
    public bool Matches(Tweet tweet, IReadOnlyList<TagEntity> fullTextHashtags)
    {
        if (IsEmpty || tweet.RetweetedId is not null)
        {
            return false;
        }

        if ((keywords.Count > 0 || hashtags.Count > 0) && !MatchesTopic(tweet.FullText, fullTextHashtags))
        {
            return false;
        }

        if (languages.Count > 0 && (tweet.Lang is null || !languages.Contains(tweet.Lang)))
        {
            return false;
        }

        if (minEngagement is { } min && Engagement(tweet.Metrics) < min)
        {
            return false;
        }

        // The sentiment is checked last because scoring costs the most. Retweets returned above, so
        // their cut text is never scored.
        return sentiments.Count == 0 || sentiments.Contains(Label(tweet.FullText));
    }

    /// <summary>Returns the sentiment label of a text, as the writers store it: <c>positive</c>, <c>neutral</c> or <c>negative</c>.</summary>
    public static string Label(string text) => VaderScorer.Default.Score(text).Label.ToString().ToLowerInvariant();

    /// <summary>Likes, retweets, quotes and replies added up; a missing count counts as 0.</summary>
    public static long Engagement(PublicMetrics? metrics) => metrics is null
        ? 0
        : (metrics.LikeCount ?? 0) + (metrics.RetweetCount ?? 0) + (metrics.QuoteCount ?? 0) + (metrics.ReplyCount ?? 0);

    private bool MatchesTopic(string text, IReadOnlyList<TagEntity> fullTextHashtags) =>
        fullTextHashtags.Any(tag => hashtags.Contains(tag.Tag))
        || keywords.Any(keyword => KeywordMatcher.Contains(text, keyword));
}

/// <summary>Finds a keyword in a text as a whole word, ignoring case.</summary>
internal static class KeywordMatcher
{
    /// <summary>
    /// Returns true when <paramref name="keyword"/> occurs in <paramref name="text"/>, ignoring
    /// case, and is not part of a longer word: where the keyword begins or ends with a letter or
    /// digit, the character beside it in the text must not be a letter, digit or underscore. So
    /// <c>art</c> matches "modern art!" but not "start". In scripts written without spaces
    /// between words (Thai, Lao, Tibetan, Myanmar, Khmer, Chinese, Japanese) a keyword matches
    /// anywhere.
    /// </summary>
    public static bool Contains(string text, string keyword)
    {
        if (keyword.Length == 0)
        {
            return false;
        }

        var start = 0;
        while (start <= text.Length - keyword.Length)
        {
            var index = text.IndexOf(keyword, start, StringComparison.OrdinalIgnoreCase);
            if (index < 0)
            {
                return false;
            }

            var end = index + keyword.Length;
            var boundaryBefore = !NeedsBoundary(keyword[0]) || !IsWordCharacterBefore(text, index);
            var boundaryAfter = !NeedsBoundary(keyword[^1]) || !IsWordCharacterAt(text, end);
            if (boundaryBefore && boundaryAfter)
            {
                return true;
            }

            start = index + 1;
        }

        return false;
    }

    private static bool IsWordCharacterBefore(string text, int index) =>
        Rune.DecodeLastFromUtf16(text.AsSpan(0, index), out var rune, out _) == OperationStatus.Done && IsWordCharacter(rune);

    private static bool IsWordCharacterAt(string text, int index) =>
        Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out _) == OperationStatus.Done && IsWordCharacter(rune);

    private static bool IsWordCharacter(Rune rune) => Rune.IsLetterOrDigit(rune) || rune.Value == '_';

    private static bool NeedsBoundary(char c) => char.IsLetterOrDigit(c) && !IsInScriptWithoutSpaces(c);

    private static bool IsInScriptWithoutSpaces(char c) =>
        c is (>= '\u0E00' and <= '\u0FFF') // Thai, Lao, Tibetan
            or (>= '\u1000' and <= '\u109F') // Myanmar
            or (>= '\u1780' and <= '\u17FF') // Khmer
            or (>= '\u2E80' and <= '\u9FFF') // CJK radicals, kana, CJK ideographs
            or (>= '\uF900' and <= '\uFAFF') // CJK compatibility ideographs
            or (>= '\uFF66' and <= '\uFF9F'); // half-width katakana
}
