using System.Text.Json;
using Pipeline.Core.Tweets;

namespace Pipeline.GetTweets.Streaming;

/// <summary>
/// A message by which the X API announces that it closes the stream for operational reasons, such
/// as a deploy or a reader that is too slow: an item of <c>errors</c> with the operational-disconnect
/// problem type. The kind of disconnect is named by <c>disconnect_type</c> in the OpenAPI spec 2.159
/// and by <c>operational_disconnect_type</c> elsewhere, so both are read.
/// </summary>
/// <param name="DisconnectType">The kind, such as <c>OperationalDisconnect</c> or <c>SlowReader</c>.</param>
/// <param name="Detail">The API's explanation, when it sent one.</param>
internal sealed record OperationalDisconnect(string DisconnectType, string? Detail)
{
    /// <summary>
    /// The end of the problem type of an operational disconnect. The OpenAPI spec 2.159 maps it under
    /// <c>https://api.twitter.com</c>; X's newer documents write <c>https://api.x.com</c>, so only the path is compared.
    /// </summary>
    public const string ProblemTypePath = "/2/problems/operational-disconnect";

    /// <summary>Returns the operational disconnect that <paramref name="message"/> announces, or null when it announces none.</summary>
    public static OperationalDisconnect? Find(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("errors", out var errors)
            || errors.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var error in errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            var kind = ApiJson.GetString(error, "disconnect_type") ?? ApiJson.GetString(error, "operational_disconnect_type");
            if (kind is not null || ApiJson.GetString(error, "type")?.EndsWith(ProblemTypePath, StringComparison.Ordinal) == true)
            {
                return new OperationalDisconnect(kind ?? ApiJson.GetString(error, "title") ?? "operational-disconnect", ApiJson.GetString(error, "detail"));
            }
        }

        return null;
    }
}
