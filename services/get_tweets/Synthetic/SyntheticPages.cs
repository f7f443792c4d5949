using System.Globalization;
using System.Text.Json.Nodes;

namespace Pipeline.GetTweets.Synthetic;

/// <summary>
/// A seeded series of X API v2 recent-search response pages with made-up tweets, for load and
/// fault tests. The pages follow the shapes of the recorded pages in <c>sample/</c>: 100 tweets
/// in <c>data</c> (newest first), authors, mentioned users, media and referenced tweets in
/// <c>includes</c>, and <c>meta</c> with the newest and oldest id and a <c>next_token</c>.
/// Tweets are plain, long (<c>note_tweet</c>), with a photo, retweets (of a long original half
/// the time, the original in <c>includes.tweets</c>), replies and quotes; texts mix languages,
/// hashtags, mentions and emoji outside the Basic Multilingual Plane.
/// </summary>
/// <remarks>
/// Every page, tweet and user is a function of the seed and its own number only, so page n can be
/// built without building the pages before it, and <see cref="TweetIds"/> gives the exact set of
/// tweet ids that all pages hold. Ids are snowflakes as X builds them (milliseconds since
/// 2010-11-04T01:42:54.657Z in the upper bits, then 10 machine bits and a 12-bit sequence). Their
/// times start at 2031-01-01, later than any real post when this was written, so they cannot
/// collide with the ids of recorded pages. Each tweet owns a 50 ms time slot, which keeps all ids
/// distinct and below <see cref="long.MaxValue"/>.
/// </remarks>
internal sealed class SyntheticPages
{
    /// <summary>Tweets in the <c>data</c> of a full page, as in a recent-search page with max_results=100.</summary>
    public const int PageSize = 100;

    /// <summary>Originals that retweets on many pages share, as popular posts are retweeted again and again.</summary>
    internal const int PopularOriginals = 64;

    /// <summary>Distinct authors.</summary>
    internal const int UserCount = 2000;

    /// <summary>The start of the time slots of synthetic tweets.</summary>
    internal static readonly DateTimeOffset FirstTweetTime = new(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const long TwitterEpochMilliseconds = 1288834974657;
    private const int SlotMilliseconds = 50;

    // Each page owns one slot per data tweet and one per tweet it may refer to.
    private const int SlotsPerPage = 2 * PageSize;

    // Labels that give each kind of decision a random stream of its own.
    private const long PlanLabel = 1;
    private const long TweetLabel = 2;
    private const long UserLabel = 3;
    private const long IdLabel = 4;

    private static readonly string[] Languages = ["en", "en", "en", "en", "de", "ja", "ko", "ar", "und"];
    private static readonly string[] UsernameParts = ["rain", "kpop", "data", "vote", "tea", "moon", "pg", "news", "jazz", "owl"];
    private static readonly string[] Sources = ["Twitter Web App", "Twitter for iPhone", "Twitter for Android", "TweetDeck"];
    private static readonly (string Domain, string DomainName, string Entity, string EntityName)[] Annotations =
    [
        ("10", "Person", "847090575954272256", "Jeremy Corbyn"),
        ("35", "Politician", "857212166100754432", "Boris Johnson"),
        ("65", "Interests and Hobbies Vertical", "825047692124442624", "Food"),
        ("54", "Musician", "1029470582958489600", "BTS"),
        ("46", "Business Taxonomy", "1557697333571112960", "Technology Business"),
    ];

    private readonly long seed;

    public SyntheticPages(long seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        this.seed = seed;
        Count = count;
    }

    /// <summary>The number of tweets in <c>data</c> over all pages.</summary>
    public int Count { get; }

    /// <summary>The number of pages; every page is full but the last.</summary>
    public int PageCount => (Count + PageSize - 1) / PageSize;

    /// <summary>Returns the distinct ids of every tweet in <c>data</c> and <c>includes.tweets</c> of all pages.</summary>
    public HashSet<long> TweetIds() => TweetIds(PageCount);

    /// <summary>Returns the distinct ids of every tweet in <c>data</c> and <c>includes.tweets</c> of pages 1 to <paramref name="lastPage"/>.</summary>
    public HashSet<long> TweetIds(int lastPage)
    {
        var ids = new HashSet<long>();
        for (var page = 1; page <= Math.Min(lastPage, PageCount); page++)
        {
            foreach (var plan in Plan(page))
            {
                ids.Add(IdOfSlot(plan.Slot));
                if (plan.Reference is { Included: true } reference)
                {
                    ids.Add(IdOfSlot(reference.Slot));
                }
            }
        }

        return ids;
    }

    /// <summary>Builds page <paramref name="pageNumber"/> (1-based) as the API returns it.</summary>
    public JsonObject BuildPage(int pageNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageNumber, PageCount);

        var page = new PageIncludes();
        var data = new JsonArray();
        var plans = Plan(pageNumber);

        // Search results come newest first.
        for (var i = plans.Count - 1; i >= 0; i--)
        {
            data.Add(BuildTweet(plans[i], page));
        }

        var includes = new JsonObject { ["users"] = ToArray(page.Users.Values) };
        if (page.Tweets.Count > 0)
        {
            includes["tweets"] = ToArray(page.Tweets.Values);
        }

        if (page.Media.Count > 0)
        {
            includes["media"] = ToArray(page.Media);
        }

        var meta = new JsonObject
        {
            ["newest_id"] = Id(IdOfSlot(plans[^1].Slot)),
            ["oldest_id"] = Id(IdOfSlot(plans[0].Slot)),
            ["result_count"] = plans.Count,
        };
        if (pageNumber < PageCount)
        {
            meta["next_token"] = "synthetic" + (pageNumber + 1).ToString(CultureInfo.InvariantCulture);
        }

        return new JsonObject { ["data"] = data, ["includes"] = includes, ["meta"] = meta };
    }

    /// <summary>Returns the snowflake id of a time slot.</summary>
    internal long IdOfSlot(long slot)
    {
        var random = new SyntheticRandom(seed, IdLabel, slot);
        var milliseconds = FirstTweetTime.ToUnixTimeMilliseconds() + (slot * SlotMilliseconds) + random.Next(0, SlotMilliseconds);
        return ((milliseconds - TwitterEpochMilliseconds) << 22) | ((long)random.Next(0, 1024) << 12) | (long)random.Next(0, 4096);
    }

    /// <summary>Returns the time a snowflake id holds, cut to whole seconds as the API's <c>created_at</c> is.</summary>
    internal static DateTimeOffset TimeOfId(long id)
    {
        var milliseconds = (id >> 22) + TwitterEpochMilliseconds;
        return DateTimeOffset.FromUnixTimeSeconds(milliseconds / 1000);
    }

    /// <summary>Decides the kind and references of each data tweet of a page, oldest first.</summary>
    private List<TweetPlan> Plan(int pageNumber)
    {
        var random = new SyntheticRandom(seed, PlanLabel, pageNumber);
        var firstSlot = PopularOriginals + ((long)(pageNumber - 1) * SlotsPerPage);
        var size = Math.Min(PageSize, Count - ((pageNumber - 1) * PageSize));
        var plans = new List<TweetPlan>(size);
        for (var i = 0; i < size; i++)
        {
            // The tweet a data tweet refers to gets the earlier slot, so it is older than its reference.
            var ownSlot = firstSlot + PageSize + i;
            var referencedSlot = firstSlot + i;
            var roll = random.NextDouble();
            plans.Add(roll switch
            {
                < 0.30 => new TweetPlan(TweetKind.Plain, ownSlot, null),
                < 0.38 => new TweetPlan(TweetKind.Long, ownSlot, null),
                < 0.43 => new TweetPlan(TweetKind.Photo, ownSlot, null),
                < 0.73 => new TweetPlan(TweetKind.Retweet, ownSlot, random.Chance(1.0 / 3)
                    ? new Reference(random.Next(0, PopularOriginals), Included: true)
                    : new Reference(referencedSlot, Included: true)),
                < 0.88 => new TweetPlan(TweetKind.Reply, ownSlot, new Reference(referencedSlot, Included: random.Chance(0.5))),
                _ => new TweetPlan(TweetKind.Quote, ownSlot, new Reference(referencedSlot, Included: random.Chance(0.8))),
            });
        }

        return plans;
    }

    private JsonObject BuildTweet(TweetPlan plan, PageIncludes page)
    {
        var random = new SyntheticRandom(seed, TweetLabel, plan.Slot);
        var id = IdOfSlot(plan.Slot);
        var author = AddUser(random.Next(0, UserCount), page);
        var lang = random.Pick(Languages);
        var text = new SyntheticText(random, lang);
        JsonObject? referenced = null;
        string? referenceType = null;
        long? replyToUser = null;
        var conversationId = id;
        JsonObject? attachments = null;

        if (plan.Reference is { } reference)
        {
            // The referenced tweet is built whether or not the page includes it, so its id, author and
            // text are the same on every page that refers to it.
            referenced = BuildOriginal(reference.Slot, page, reference.Included);
            var referencedAuthor = BuildUser(ReadAuthorIndex(referenced));
            var referencedUsername = referencedAuthor["username"]!.GetValue<string>();
            var referencedUserId = long.Parse(referencedAuthor["id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            switch (plan.Kind)
            {
                case TweetKind.Retweet:
                    referenceType = "retweeted";
                    AddUser(ReadAuthorIndex(referenced), page);
                    text.Append("RT ");
                    text.AppendMention(referencedUsername, referencedUserId);
                    text.Append(": ");
                    var original = FullText(referenced);
                    var room = Math.Max(1, 140 - text.Length);
                    text.Append(SyntheticText.Cut(original, room) + (SyntheticText.CountCodePoints(original) > room ? "\u2026" : ""));
                    break;
                case TweetKind.Reply:
                    referenceType = "replied_to";
                    replyToUser = referencedUserId;
                    conversationId = long.Parse(referenced["conversation_id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    AddUser(ReadAuthorIndex(referenced), page);
                    text.AppendMention(referencedUsername, referencedUserId);
                    text.Append(" ");
                    text.AppendWords(random.Next(30, 200));
                    break;
                default:
                    referenceType = "quoted";
                    text.AppendWords(random.Next(20, 200));
                    text.Append(" ");
                    var status = $"{referencedUsername}/status/{referenced["id"]!.GetValue<string>()}";
                    text.AppendUrl("https://twitter.com/" + status, "twitter.com/" + SyntheticText.Cut(status, 20) + "\u2026");
                    break;
            }
        }
        else if (plan.Kind == TweetKind.Photo)
        {
            text.AppendWords(random.Next(10, 200));
            text.Append(" ");
            var mediaKey = "3_" + Id(id);
            var path = text.Token(15);
            text.AppendUrl($"https://twitter.com/{author["username"]!.GetValue<string>()}/status/{Id(id)}/photo/1", "pic.twitter.com/" + path[..10]);
            attachments = new JsonObject { ["media_keys"] = new JsonArray(mediaKey) };
            page.Media.Add(new JsonObject
            {
                ["media_key"] = mediaKey,
                ["type"] = "photo",
                ["url"] = $"https://pbs.twimg.com/media/{path}.jpg",
                ["width"] = random.Pick([1200, 1080, 2048, 680]),
                ["height"] = random.Pick([675, 1350, 1536, 680]),
            });
        }

        var tweet = plan.Kind == TweetKind.Long
            ? BuildLongText(random, text)
            : new JsonObject { ["text"] = text.ToString(), ["entities"] = text.Entities() };
        FillCommonFields(tweet, random, id, author, lang, conversationId);
        if (replyToUser is { } userId)
        {
            tweet["in_reply_to_user_id"] = Id(userId);
        }

        if (referenced is not null)
        {
            tweet["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = referenceType, ["id"] = referenced["id"]!.GetValue<string>() });
        }

        if (attachments is not null)
        {
            tweet["attachments"] = attachments;
        }

        return tweet;
    }

    /// <summary>Builds a tweet that others refer to, long (<c>note_tweet</c>) half the time; adds it and its author to the page when <paramref name="included"/>.</summary>
    private JsonObject BuildOriginal(long slot, PageIncludes page, bool included)
    {
        var id = IdOfSlot(slot);
        if (page.Tweets.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var random = new SyntheticRandom(seed, TweetLabel, slot);
        var authorIndex = random.Next(0, UserCount);
        var author = BuildUser(authorIndex);
        var lang = random.Pick(Languages);
        var text = new SyntheticText(random, lang);
        JsonObject tweet;
        if (random.Chance(0.5))
        {
            tweet = BuildLongText(random, text);
        }
        else
        {
            text.AppendWords(random.Next(20, 280));
            tweet = new JsonObject { ["text"] = text.ToString(), ["entities"] = text.Entities() };
        }

        FillCommonFields(tweet, random, id, author, lang, id);
        if (included)
        {
            page.Tweets[id] = tweet;
            AddUser(authorIndex, page);
        }

        return tweet;
    }

    /// <summary>
    /// Builds a long post: <c>text</c> contains its first 275 code points and an ellipsis, and
    /// <c>note_tweet</c> the whole text with the entities of the whole text.
    /// </summary>
    private static JsonObject BuildLongText(SyntheticRandom random, SyntheticText text)
    {
        text.AppendWords(random.Next(300, 4000));
        var fullText = text.ToString();
        return new JsonObject
        {
            ["text"] = SyntheticText.Cut(fullText, 275) + "\u2026",
            ["entities"] = text.Entities(maxEnd: 275),
            ["note_tweet"] = new JsonObject { ["text"] = fullText, ["entities"] = text.Entities() },
        };
    }

    private static void FillCommonFields(JsonObject tweet, SyntheticRandom random, long id, JsonObject author, string lang, long conversationId)
    {
        var createdAt = TimeOfId(id);
        tweet["id"] = Id(id);
        tweet["author_id"] = author["id"]!.GetValue<string>();
        tweet["created_at"] = createdAt.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture);
        tweet["conversation_id"] = Id(conversationId);
        tweet["lang"] = lang;
        tweet["source"] = random.Pick(Sources);
        tweet["possibly_sensitive"] = random.Chance(0.02);
        tweet["reply_settings"] = random.Chance(0.95) ? "everyone" : "following";
        tweet["edit_history_tweet_ids"] = new JsonArray(Id(id));
        tweet["edit_controls"] = new JsonObject
        {
            ["edits_remaining"] = 5,
            ["is_edit_eligible"] = true,
            ["editable_until"] = createdAt.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture),
        };
        tweet["public_metrics"] = new JsonObject
        {
            ["retweet_count"] = random.Next(0, 50),
            ["reply_count"] = random.Next(0, 20),
            ["like_count"] = random.Next(0, 500),
            ["quote_count"] = random.Next(0, 5),
            ["bookmark_count"] = random.Next(0, 10),
            ["impression_count"] = random.Next(0, 20_000),
        };
        if (random.Chance(0.75))
        {
            var annotations = new JsonArray();
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                var (domain, domainName, entity, entityName) = random.Pick(Annotations);
                annotations.Add(new JsonObject
                {
                    ["domain"] = new JsonObject { ["id"] = domain, ["name"] = domainName, ["description"] = domainName },
                    ["entity"] = new JsonObject { ["id"] = entity, ["name"] = entityName },
                });
            }

            tweet["context_annotations"] = annotations;
        }
    }

    private static int ReadAuthorIndex(JsonObject tweet) =>
        UserIndexOfId(long.Parse(tweet["author_id"]!.GetValue<string>(), CultureInfo.InvariantCulture));

    private JsonObject AddUser(int index, PageIncludes page)
    {
        if (!page.Users.TryGetValue(index, out var user))
        {
            user = BuildUser(index);
            page.Users[index] = user;
        }

        return user;
    }

    /// <summary>Builds user <paramref name="index"/>; its id is a snowflake of 2030-06-01 whose low 22 bits hold the index.</summary>
    private JsonObject BuildUser(int index)
    {
        var random = new SyntheticRandom(seed, UserLabel, index);
        var text = new SyntheticText(random, random.Pick(Languages));
        text.AppendWords(random.Next(0, 160));
        var username = random.Pick(UsernameParts) + "_" + random.Pick(UsernameParts) + index.ToString(CultureInfo.InvariantCulture);
        var user = new JsonObject
        {
            ["id"] = Id(UserId(index)),
            ["username"] = username.Length > 15 ? username[^15..] : username,
            ["name"] = random.Chance(0.3) ? $"{username} \U0001F1EA\U0001F1FA\U0001F940" : username,
            ["created_at"] = FirstTweetTime.AddDays(-random.Next(30, 5000)).ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture),
            ["description"] = text.ToString(),
            ["protected"] = false,
            ["verified"] = false,
            ["url"] = "",
            ["profile_image_url"] = $"https://pbs.twimg.com/profile_images/{UserId(index)}/{text.Token(8)}_normal.jpg",
            ["public_metrics"] = new JsonObject
            {
                ["followers_count"] = random.Next(0, 100_000),
                ["following_count"] = random.Next(0, 5000),
                ["tweet_count"] = random.Next(1, 200_000),
                ["listed_count"] = random.Next(0, 500),
            },
        };
        if (random.Chance(0.6))
        {
            user["location"] = random.Pick(["London", "Seoul", "東京", "Berlin, Deutschland", "\U0001F30D"]);
        }

        var entities = text.Entities();
        if (entities.Count > 0)
        {
            user["entities"] = new JsonObject { ["description"] = entities };
        }

        return user;
    }

    private static long UserId(int index) =>
        ((new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - TwitterEpochMilliseconds) << 22) | (long)index;

    private static int UserIndexOfId(long userId) => (int)(userId & ((1 << 22) - 1));

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string FullText(JsonObject tweet) =>
        tweet["note_tweet"]?["text"]?.GetValue<string>() ?? tweet["text"]!.GetValue<string>();

    private static JsonArray ToArray(IEnumerable<JsonObject> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }

    private enum TweetKind
    {
        Plain,
        Long,
        Photo,
        Retweet,
        Reply,
        Quote,
    }

    /// <summary>The tweet a data tweet refers to: its slot, and whether the page includes it.</summary>
    private readonly record struct Reference(long Slot, bool Included);

    private readonly record struct TweetPlan(TweetKind Kind, long Slot, Reference? Reference);

    /// <summary>What the tweets of one page bring into its <c>includes</c>, each once.</summary>
    private sealed class PageIncludes
    {
        public Dictionary<int, JsonObject> Users { get; } = [];

        public Dictionary<long, JsonObject> Tweets { get; } = [];

        public List<JsonObject> Media { get; } = [];
    }
}
