using System.Globalization;
using System.Text.Json;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;

namespace Pipeline.PostgresWriter;

/// <summary>
/// Reads a queue message into what it delivers. A tweet message delivers its own tweet, the
/// referenced tweets the page included, their authors and the tweet's media, place and poll. A
/// deletion message delivers a tombstone. Strings are read after U+0000 was replaced, so typed
/// columns and the raw JSON agree.
/// </summary>
internal static class EnvelopeReader
{
    /// <summary>Reads a message. When the payload is not a valid envelope or deletion, throws an exception for which <see cref="IsInvalidContent"/> is true.</summary>
    public static EnvelopeContent Read(QueueMessage message)
    {
        var parsed = TweetMessage.Parse(message.Payload);
        if (parsed.Deletion is { } deletion)
        {
            return ReadDeletion(deletion, message.Id);
        }

        var envelope = parsed.Tweet!;
        if (envelope.CollectedAt == default)
        {
            throw new FormatException("The envelope is missing 'collected_at'.");
        }

        var collectedAt = envelope.CollectedAt.ToUniversalTime();
        var tweets = new List<TweetObservation>();
        var users = new List<UserObservation>();
        var replaced = 0;

        // A tweet of a page's includes counts as referenced until a message of its own from a page's data arrives.
        var own = ReadTweet(envelope.Tweet, envelope.Id, "the envelope", collectedAt, referencedOnly: envelope.Referenced, message.Id, ref replaced);
        tweets.Add(own);
        AddUser(users, envelope.Author, collectedAt, message.Id, ref replaced);

        // A payload without the array deserializes to null despite the non-nullable type.
        foreach (var reference in envelope.ReferencedTweets ?? [])
        {
            if (IsPresent(reference.Tweet))
            {
                var context = $"referenced tweet {reference.Id}";
                tweets.Add(ReadTweet(reference.Tweet!.Value, reference.Id, context, collectedAt, referencedOnly: true, message.Id, ref replaced));
            }

            AddUser(users, reference.Author, collectedAt, message.Id, ref replaced);
        }

        if (own.Tweet.RetweetedId is { } originalId
            && tweets.Skip(1).FirstOrDefault(t => t.Tweet.Id == originalId) is { } original)
        {
            tweets[0] = own with { RetweetedOriginalText = original.Tweet.FullText };
        }

        var media = ReadObjects(envelope.Media, collectedAt, MediaObservation.Parse, ref replaced);
        var places = ReadObjects(envelope.Places, collectedAt, PlaceObservation.Parse, ref replaced);
        var polls = ReadObjects(envelope.Polls, collectedAt, PollObservation.Parse, ref replaced);
        return new EnvelopeContent(message.Id, tweets, users, replaced) { Media = media, Places = places, Polls = polls };
    }

    /// <summary>Returns true for the exceptions that reading a malformed payload throws, as opposed to a fault of the writer.</summary>
    public static bool IsInvalidContent(Exception exception) => exception
        is JsonException
        or FormatException
        or KeyNotFoundException
        or OverflowException
        // System.Text.Json throws it for a value of the wrong kind and for invalid UTF-16 escapes.
        or InvalidOperationException;

    private static TweetObservation ReadTweet(
        JsonElement raw, string? expectedId, string context, DateTimeOffset collectedAt, bool referencedOnly, long messageId, ref int replaced)
    {
        var clean = NullCharacters.Replace(raw);
        replaced += clean.Replaced;

        var tweet = Tweet.Parse(clean.Value);
        if (expectedId is not null && expectedId != tweet.Id.ToString(CultureInfo.InvariantCulture))
        {
            throw new FormatException($"The id '{expectedId}' of {context} differs from the id {tweet.Id} of the tweet object.");
        }

        var details = TweetDetails.Parse(clean.Value, TweetDetails.FullTextEntities(clean.Value));
        return new TweetObservation(tweet, tweet.Entities, clean.Json, collectedAt, referencedOnly, messageId)
        {
            Details = details,
        };
    }

    private static EnvelopeContent ReadDeletion(TweetDeletion deletion, long messageId)
    {
        // TweetDeletion.FromJson accepts only positive 64-bit decimal ids, so the parse succeeds.
        var id = TweetDetails.ParseId(deletion.Id) ?? throw new FormatException($"The deletion's tweet id '{deletion.Id}' is invalid.");
        var observation = new DeletionObservation(id, deletion.Reason, deletion.Source.Kind, deletion.Source.Name, deletion.ObservedAt.ToUniversalTime(), messageId);
        return new EnvelopeContent(messageId, [], [], 0) { Deletion = observation };
    }

    // Media, places and polls are optional extras of a tweet: an object without its key is
    // skipped rather than failing the tweet.
    private static List<T> ReadObjects<T>(
        IReadOnlyList<JsonElement>? raws, DateTimeOffset observedAt, Func<JsonElement, string, DateTimeOffset, T?> parse, ref int replaced)
        where T : class
    {
        var objects = new List<T>();
        foreach (var raw in raws ?? [])
        {
            if (raw.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var clean = NullCharacters.Replace(raw);
            replaced += clean.Replaced;
            if (parse(clean.Value, clean.Json, observedAt) is { } parsed)
            {
                objects.Add(parsed);
            }
        }

        return objects;
    }

    private static void AddUser(List<UserObservation> users, JsonElement? raw, DateTimeOffset observedAt, long messageId, ref int replaced)
    {
        if (!IsPresent(raw))
        {
            return;
        }

        var clean = NullCharacters.Replace(raw!.Value);
        replaced += clean.Replaced;
        users.Add(new UserObservation(TwitterUser.Parse(clean.Value), clean.Json, observedAt, messageId)
        {
            Details = UserDetails.Parse(clean.Value),
        });
    }

    private static bool IsPresent(JsonElement? value) =>
        value is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) };
}

/// <summary>What one queue message delivers: tweets, users, media, places and polls, or a deletion.</summary>
/// <param name="NullCharactersReplaced">How many U+0000 characters were replaced in the message's strings.</param>
internal sealed record EnvelopeContent(
    long MessageId,
    IReadOnlyList<TweetObservation> Tweets,
    IReadOnlyList<UserObservation> Users,
    int NullCharactersReplaced)
{
    /// <summary>The media objects of the message's own tweet.</summary>
    public IReadOnlyList<MediaObservation> Media { get; init; } = [];

    /// <summary>The place the message's own tweet was tagged with.</summary>
    public IReadOnlyList<PlaceObservation> Places { get; init; } = [];

    /// <summary>The poll attached to the message's own tweet.</summary>
    public IReadOnlyList<PollObservation> Polls { get; init; } = [];

    /// <summary>The deletion, when the message reports a deleted tweet instead of delivering one.</summary>
    public DeletionObservation? Deletion { get; init; }
}

/// <summary>A deletion as a queue message reported it.</summary>
/// <param name="Reason">The compliance reason (deleted, suspended and others) or not_found.</param>
/// <param name="ObservedAt">When the collector learned of the deletion.</param>
internal sealed record DeletionObservation(long TweetId, string Reason, string SourceKind, string SourceName, DateTimeOffset ObservedAt, long MessageId);

/// <summary>One version of a tweet as a page delivered it.</summary>
/// <param name="Entities">The entities whose offsets point into <see cref="Tweet.FullText"/>.</param>
/// <param name="Json">The tweet object's JSON text, stored in <c>tweets.raw</c>.</param>
/// <param name="CollectedAt">When the collector read the page.</param>
/// <param name="ReferencedOnly">True when the tweet came along in another tweet's message as a referenced tweet.</param>
/// <param name="RetweetedOriginalText">
/// The <see cref="Tweet.FullText"/> of the original when the tweet is a retweet and its message
/// included the original, otherwise null.
/// </param>
internal sealed record TweetObservation(
    Tweet Tweet,
    TweetEntities Entities,
    string Json,
    DateTimeOffset CollectedAt,
    bool ReferencedOnly,
    long MessageId,
    string? RetweetedOriginalText = null)
{
    /// <summary>The fields that only this writer stores: withholding, geo, media keys, poll and annotations.</summary>
    public TweetDetails Details { get; init; } = TweetDetails.Empty;
}

/// <summary>One version of a user as a page delivered it.</summary>
/// <param name="Json">The user object's JSON text, stored in <c>users.raw</c>.</param>
/// <param name="ObservedAt">When the collector read the page.</param>
internal sealed record UserObservation(TwitterUser User, string Json, DateTimeOffset ObservedAt, long MessageId)
{
    /// <summary>The profile fields that only this writer stores.</summary>
    public UserDetails Details { get; init; } = UserDetails.Empty;
}
