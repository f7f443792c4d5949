using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Pages;
using Pipeline.GetTweets.Search;

namespace Pipeline.GetTweets.Streaming;

/// <summary>A filtered-stream rule as the X API stores it.</summary>
internal sealed record StreamRule(string Id, string Value, string? Tag);

/// <summary>The X API rejected a declared rule or a change of the rule set; the configuration has to be fixed.</summary>
internal sealed class StreamRulesRejectedException(string message) : Exception(message);

/// <summary>
/// Makes the filtered stream's rules on the X API (<c>/2/tweets/search/stream/rules</c>) match the
/// rules in <see cref="CollectorOptions.Rules"/>: a stored rule whose value and tag are both
/// declared stays as it is, every other stored rule is deleted, and every declared rule not stored
/// is added. Deletions go first, because the API rejects a second rule with the same value, so a
/// rule whose tag changed is deleted and added again.
/// </summary>
internal sealed class StreamRuleSync(XApiClient client, IOptions<CollectorOptions> options, ILogger<StreamRuleSync> logger)
{
    /// <summary>The rules endpoint, relative to the base address.</summary>
    public const string Path = "2/tweets/search/stream/rules";

    /// <summary>Syncs the rules and returns the rule set now stored, with the ids the API gave the rules.</summary>
    public async Task<IReadOnlyList<StreamRule>> SyncAsync(CancellationToken cancellationToken)
    {
        var declared = options.Value.Rules
            .Select(r => (Value: r.Value!.Trim(), Tag: string.IsNullOrWhiteSpace(r.Tag) ? null : r.Tag.Trim()))
            .ToList();
        var stored = await ListAsync(cancellationToken);

        var unchanged = stored.Where(r => declared.Contains((r.Value, r.Tag))).ToList();
        var obsolete = stored.Except(unchanged).ToList();
        var missing = declared.Where(d => !unchanged.Any(r => r.Value == d.Value && r.Tag == d.Tag)).ToList();

        if (obsolete.Count > 0)
        {
            await DeleteAsync(obsolete, cancellationToken);
        }

        var added = missing.Count > 0 ? await AddAsync(missing, cancellationToken) : [];
        Log.StreamRulesSynced(logger, added.Count, obsolete.Count, unchanged.Count);
        return [.. unchanged, .. added];
    }

    private async Task<List<StreamRule>> ListAsync(CancellationToken cancellationToken)
    {
        var rules = new List<StreamRule>();
        string? nextToken = null;
        do
        {
            var uri = nextToken is null ? Path : $"{Path}?pagination_token={Uri.EscapeDataString(nextToken)}";
            using var document = JsonDocument.Parse(await client.GetAsync(uri, cancellationToken));
            rules.AddRange(ReadRules(document.RootElement));
            nextToken = document.RootElement.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                ? ApiJson.GetString(meta, "next_token")
                : null;
        }
        while (nextToken is not null);

        return rules;
    }

    private async Task DeleteAsync(List<StreamRule> obsolete, CancellationToken cancellationToken)
    {
        var request = new JsonObject
        {
            ["delete"] = new JsonObject { ["ids"] = new JsonArray([.. obsolete.Select(r => (JsonNode)r.Id)]) },
        };
        using var response = JsonDocument.Parse(await client.PostAsync(Path, request.ToJsonString(), cancellationToken));
        ThrowOnErrors(response.RootElement, "deleting");
        foreach (var rule in obsolete)
        {
            Log.StreamRuleDeleted(logger, rule.Id, rule.Value, rule.Tag);
        }
    }

    private async Task<List<StreamRule>> AddAsync(List<(string Value, string? Tag)> missing, CancellationToken cancellationToken)
    {
        var rules = new JsonArray();
        foreach (var (value, tag) in missing)
        {
            var rule = new JsonObject { ["value"] = value };
            if (tag is not null)
            {
                rule["tag"] = tag;
            }

            rules.Add(rule);
        }

        var request = new JsonObject { ["add"] = rules };
        using var response = JsonDocument.Parse(await client.PostAsync(Path, request.ToJsonString(), cancellationToken));
        ThrowOnErrors(response.RootElement, "adding");

        var added = ReadRules(response.RootElement);
        foreach (var rule in added)
        {
            Log.StreamRuleAdded(logger, rule.Id, rule.Value, rule.Tag);
        }

        var notReturned = missing.Where(m => !added.Any(a => a.Value == m.Value)).Select(m => m.Value).ToList();
        if (notReturned.Count > 0)
        {
            throw new StreamRulesRejectedException(
                $"The X API did not confirm the filtered-stream rules {string.Join(", ", notReturned.Select(v => $"'{v}'"))} and gave no reason. Check Collector__Rules and the project's rule limit.");
        }

        return added;
    }

    private static List<StreamRule> ReadRules(JsonElement response)
    {
        var rules = new List<StreamRule>();
        if (!response.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return rules;
        }

        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("id", out var id) && IncludedObjects.KeyText(id) is { } ruleId
                && ApiJson.GetString(item, "value") is { } value)
            {
                rules.Add(new StreamRule(ruleId, value, ApiJson.GetString(item, "tag")));
            }
        }

        return rules;
    }

    // A rejected rule comes back with HTTP 200 and the reasons in 'errors', such as an invalid rule or the rule limit.
    private static void ThrowOnErrors(JsonElement response, string change)
    {
        if (!response.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
        {
            return;
        }

        var reasons = errors.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object)
            .Select(e => string.Join(": ", new[] { Quoted(ApiJson.GetString(e, "value")), ApiJson.GetString(e, "title"), Details(e) }.Where(s => !string.IsNullOrEmpty(s))));
        throw new StreamRulesRejectedException(
            $"The X API rejected {change} filtered-stream rules: {string.Join("; ", reasons)}. Fix Collector__Rules and restart the collector.");
    }

    private static string? Quoted(string? value) => value is null ? null : $"'{value}'";

    // The Problem schema declares 'detail'; a 'details' array of strings is read as well.
    private static string? Details(JsonElement error)
    {
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            return string.Join(" ", details.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).Select(d => d.GetString()));
        }

        return ApiJson.GetString(error, "detail");
    }
}
