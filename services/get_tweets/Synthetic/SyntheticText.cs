using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.GetTweets.Synthetic;

/// <summary>
/// Builds the text of a synthetic tweet together with its entities. Entity offsets count Unicode
/// code points, as the X API's do, so an emoji outside the Basic Multilingual Plane (two UTF-16
/// code units) counts as one.
/// </summary>
internal sealed class SyntheticText
{
    private static readonly Dictionary<string, string[]> WordsByLanguage = new()
    {
        ["en"] = ["the", "vote", "queue", "market", "today", "again", "people", "really", "never", "policy", "price", "weekend", "tour", "new", "album", "rain", "train", "late", "coffee", "deal", "news", "why", "great", "release", "thread"],
        ["de"] = ["Grüße", "für", "über", "heute", "schön", "Straße", "Zug", "wieder", "Wahl", "Bühne", "natürlich", "Käse", "März"],
        ["ja"] = ["今日", "ありがとう", "新曲", "ライブ", "最高", "雨", "電車", "コーヒー", "発売", "楽しみ"],
        ["ko"] = ["오늘", "컴백", "사랑해", "무대", "앨범", "최고", "팬", "뮤직비디오", "축하해"],
        ["ar"] = ["اليوم", "شكرا", "أخبار", "السوق", "مباراة", "جميل", "القهوة"],
    };

    // Emoji and other characters outside the Basic Multilingual Plane: each is a surrogate pair in
    // UTF-16, some are sequences with a zero-width joiner, a skin-tone modifier or regional indicators.
    private static readonly string[] NonBmp =
    [
        "\U0001F600", "\U0001F389", "\U0001F525", "\U0001F4AF", "\U0001F440", "\U0001F940",
        "\U0001F1EA\U0001F1FA", "\U0001F1EF\U0001F1F5", "\U0001F44D\U0001F3FD",
        "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\U0001F3F3\uFE0F\u200D\U0001F308",
        "\U0001D401\U0001D42B\U0001D41E\U0001D431\U0001D422\U0001D42D", "\U00020B9F", "\U0001F923\U0001F923\U0001F923",
    ];

    private static readonly string[] Tags = ["Brexit", "kpop", "postgres", "dataengineering", "news", "music", "BTS", "climate", "football", "日本", "오늘의_무대", "Grüße", "café"];

    private readonly StringBuilder text = new();
    private readonly SyntheticRandom random;
    private readonly string[] words;

    public SyntheticText(SyntheticRandom random, string lang)
    {
        this.random = random;
        words = WordsByLanguage.TryGetValue(lang, out var found) ? found : WordsByLanguage["en"];
    }

    /// <summary>The length of the text so far, in code points.</summary>
    public int Length { get; private set; }

    public JsonArray Hashtags { get; } = [];

    public JsonArray Mentions { get; } = [];

    public JsonArray Urls { get; } = [];

    public override string ToString() => text.ToString();

    /// <summary>Appends plain text.</summary>
    public void Append(string value)
    {
        text.Append(value);
        Length += CountCodePoints(value);
    }

    /// <summary>Appends a mention of <paramref name="username"/> and records its entity.</summary>
    public void AppendMention(string username, long userId)
    {
        var start = Length;
        Append("@" + username);
        Mentions.Add(new JsonObject
        {
            ["start"] = start,
            ["end"] = Length,
            ["username"] = username,
            ["id"] = userId.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Appends a t.co link and records its entity.</summary>
    public void AppendUrl(string expandedUrl, string displayUrl)
    {
        var start = Length;
        var shortUrl = "https://t.co/" + Token(10);
        Append(shortUrl);
        Urls.Add(new JsonObject
        {
            ["start"] = start,
            ["end"] = Length,
            ["url"] = shortUrl,
            ["expanded_url"] = expandedUrl,
            ["display_url"] = displayUrl,
        });
    }

    /// <summary>
    /// Appends words, hashtags and emoji, separated by spaces, until the text has about
    /// <paramref name="targetLength"/> code points; the result never exceeds the target.
    /// </summary>
    public void AppendWords(int targetLength)
    {
        while (true)
        {
            var roll = random.NextDouble();
            var next = roll switch
            {
                < 0.10 => NonBmp[random.Next(0, NonBmp.Length)],
                < 0.18 => "#" + Tags[random.Next(0, Tags.Length)],
                < 0.20 => "\n\n",
                _ => words[random.Next(0, words.Length)],
            };
            var separator = Length == 0 || text[^1] == '\n' || next == "\n\n" ? "" : " ";
            if (Length + CountCodePoints(separator + next) > targetLength)
            {
                return;
            }

            Append(separator);
            if (next.StartsWith('#'))
            {
                var start = Length;
                Append(next);
                Hashtags.Add(new JsonObject { ["start"] = start, ["end"] = Length, ["tag"] = next[1..] });
            }
            else
            {
                Append(next);
            }
        }
    }

    /// <summary>Returns entities in the API's shape, leaving out the empty kinds and those that end after <paramref name="maxEnd"/>.</summary>
    public JsonObject Entities(int maxEnd = int.MaxValue)
    {
        var entities = new JsonObject();
        AddWithin(entities, "hashtags", Hashtags, maxEnd);
        AddWithin(entities, "mentions", Mentions, maxEnd);
        AddWithin(entities, "urls", Urls, maxEnd);
        return entities;
    }

    /// <summary>Returns the first <paramref name="codePoints"/> code points of <paramref name="value"/>, never splitting a surrogate pair.</summary>
    public static string Cut(string value, int codePoints)
    {
        var builder = new StringBuilder();
        var count = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (count++ == codePoints)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    public static int CountCodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>Returns random letters and digits, as in t.co paths and pagination tokens.</summary>
    public string Token(int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[random.Next(0, Alphabet.Length)];
        }

        return new string(chars);
    }

    private static void AddWithin(JsonObject entities, string name, JsonArray items, int maxEnd)
    {
        var kept = new JsonArray();
        foreach (var item in items)
        {
            if (item!["end"]!.GetValue<int>() <= maxEnd)
            {
                kept.Add(item.DeepClone());
            }
        }

        if (kept.Count > 0)
        {
            entities[name] = kept;
        }
    }
}
