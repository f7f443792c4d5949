using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Core.Tweets;

/// <summary>
/// A tweet that X reports deleted (batch compliance results) or that a lookup reported not found.
/// It travels through the same queue as tweets. Its JSON carries <c>"type":"deletion"</c> at the
/// top level, which no <see cref="TweetEnvelope"/> has.
/// </summary>
/// <param name="Id">The tweet id: a decimal string of a positive signed 64-bit integer.</param>
/// <param name="Reason">
/// The compliance result's <c>reason</c> (<c>deleted</c>, <c>suspended</c>, <c>protected</c>,
/// <c>deactivated</c>, <c>scrub_geo</c> and others) or <see cref="NotFound"/> for a lookup.
/// </param>
/// <param name="Source">Where the collector learned of the deletion.</param>
/// <param name="ObservedAt">When the deletion happened or was observed (UTC).</param>
public sealed record TweetDeletion(string Id, string Reason, CollectionSource Source, DateTimeOffset ObservedAt)
{
    /// <summary>The value of the top-level <c>type</c> property of a deletion payload.</summary>
    public const string MessageType = "deletion";

    /// <summary>The <see cref="Reason"/> of a tweet that an API lookup reported not found.</summary>
    public const string NotFound = "not_found";

    /// <summary>Serializes the deletion to the UTF-8 JSON text stored in the queue.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new DeletionPayload(MessageType, Id, Reason, Source, ObservedAt),
        DeletionJsonContext.Queue.DeletionPayload);

    /// <summary>
    /// Parses a deletion payload; throws <see cref="JsonException"/> when it is not one or when its
    /// id, reason, source or <c>observed_at</c> is missing or invalid.
    /// </summary>
    public static TweetDeletion FromJson(string json)
    {
        var payload = JsonSerializer.Deserialize(json, DeletionJsonContext.Queue.DeletionPayload)
            ?? throw new JsonException("The queue payload is JSON null, not a tweet deletion.");

        if (payload.Type != MessageType)
        {
            throw new JsonException($"A tweet deletion must have \"type\":\"{MessageType}\", not '{payload.Type}'.");
        }

        if (!IsTweetId(payload.Id))
        {
            throw new JsonException($"The tweet deletion's id '{payload.Id}' is not a positive 64-bit decimal integer.");
        }

        if (string.IsNullOrWhiteSpace(payload.Reason))
        {
            throw new JsonException($"The tweet deletion of {payload.Id} has no reason.");
        }

        if (payload.Source is null || payload.Source.Kind is null || payload.Source.Name is null)
        {
            throw new JsonException($"The tweet deletion of {payload.Id} has no source kind and name.");
        }

        if (payload.ObservedAt is not { } observedAt)
        {
            throw new JsonException($"The tweet deletion of {payload.Id} has no observed_at.");
        }

        return new TweetDeletion(payload.Id!, payload.Reason, payload.Source, observedAt);
    }

    /// <summary>
    /// Returns whether <paramref name="id"/> is a tweet id as the API writes it: digits only, without
    /// leading zeros, above 0 and at most <see cref="long.MaxValue"/>. The writers key rows by this
    /// text, so "0123" and "123" must not both pass.
    /// </summary>
    public static bool IsTweetId(string? id) =>
        id is { Length: > 0 }
        && id[0] != '0'
        && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && value > 0;

    // The wire shape. Every property is nullable so that a missing one is reported by FromJson with
    // the tweet id, rather than as a serializer error without it.
    internal sealed record DeletionPayload(
        string? Type,
        string? Id,
        string? Reason,
        CollectionSource? Source,
        DateTimeOffset? ObservedAt);
}

/// <summary>One queue payload: exactly one of <see cref="Tweet"/> and <see cref="Deletion"/> is set.</summary>
public sealed record TweetMessage(TweetEnvelope? Tweet, TweetDeletion? Deletion)
{
    /// <summary>
    /// Parses a queue payload: one with <c>"type":"deletion"</c> at the top level becomes a
    /// <see cref="Deletion"/>, any other object a <see cref="Tweet"/> as <see cref="TweetEnvelope.FromJson"/>
    /// reads it. Throws <see cref="JsonException"/> when the payload is not a JSON object, has another
    /// <c>type</c>, or is an invalid deletion or envelope.
    /// </summary>
    public static TweetMessage Parse(string json)
    {
        using (var document = JsonDocument.Parse(json))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"A queue payload must be a JSON object, not {root.ValueKind}.");
            }

            if (root.TryGetProperty("type", out var type))
            {
                if (type.ValueKind == JsonValueKind.String && type.GetString() == TweetDeletion.MessageType)
                {
                    return new TweetMessage(null, TweetDeletion.FromJson(json));
                }

                // A tweet envelope has no top-level "type", so an unknown message kind must not be read as a tweet.
                throw new JsonException($"The queue payload has an unknown type {type.GetRawText()}.");
            }
        }

        return new TweetMessage(TweetEnvelope.FromJson(json), null);
    }

    /// <summary>The tweet id the message is about.</summary>
    public string Id => Tweet?.Id ?? Deletion?.Id ?? throw new InvalidOperationException("The message has neither a tweet nor a deletion.");

    /// <summary>Serializes the message to the JSON text stored in the queue.</summary>
    public string ToJson() => Tweet?.ToJson() ?? Deletion?.ToJson() ?? throw new InvalidOperationException("The message has neither a tweet nor a deletion.");
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TweetDeletion.DeletionPayload))]
internal sealed partial class DeletionJsonContext : JsonSerializerContext
{
    /// <summary>The context for deletion payloads, with the same escaping as tweet envelopes.</summary>
    public static DeletionJsonContext Queue { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
