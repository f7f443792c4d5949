using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.GetTweets.Tests;

/// <summary>A request the fake received: path, query parameters, Authorization header, the fake clock's time, method and body.</summary>
internal sealed record ReceivedRequest(
    string Path,
    IReadOnlyDictionary<string, string> Query,
    string? Authorization,
    DateTimeOffset ReceivedAt,
    string Method = "GET",
    string? Body = null);

/// <summary>A scripted response: status, JSON body and extra headers.</summary>
internal sealed record ScriptedResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>A filtered-stream rule as the fake stores it.</summary>
internal sealed record FakeRule(string Id, string Value, string? Tag);

/// <summary>
/// A stand-in for the X API on 127.0.0.1 (Kestrel, random port). It returns the scripted responses
/// to search requests (recent and full-archive) in order and, once they are used up, an empty result
/// page. It keeps a filtered-stream rule set that the rules endpoint lists and changes as the X API
/// does (after any scripted errors), and serves stream connections from a script of <see cref="FakeStream"/>s and error
/// responses; once that is used up, a connection stays open without sending anything.
/// </summary>
internal sealed class FakeXApi : IAsyncDisposable
{
    public const string EmptyPage = """{"meta":{"result_count":0}}""";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ScriptedResponse> script = new();
    private readonly ConcurrentQueue<object> streamScript = new();
    private readonly ConcurrentQueue<ScriptedResponse> rulesErrors = new();
    private readonly ConcurrentQueue<ReceivedRequest> requests = new();
    private readonly ConcurrentQueue<FakeStream> streams = new();
    private readonly List<FakeRule> rules = [];
    private readonly HashSet<string> invalidRuleValues = new(StringComparer.Ordinal);
    private readonly TimeProvider clock;
    private long nextRuleId = 1_600_000_000_000_000_001;
    private int openStreams;
    private int maxOpenStreams;

    private FakeXApi(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        this.clock = clock;
        app.MapGet("/2/tweets/search/recent", HandleAsync);
        app.MapGet("/2/tweets/search/all", HandleAsync);
        app.MapGet("/2/tweets/search/stream", HandleStreamAsync);
        app.MapGet("/2/tweets/search/stream/rules", HandleListRulesAsync);
        app.MapPost("/2/tweets/search/stream/rules", HandleChangeRulesAsync);
    }

    /// <summary>The base address to configure as <c>X:BaseUrl</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. requests];

    /// <summary>The requests received so far at <paramref name="path"/>, in order.</summary>
    public List<ReceivedRequest> RequestsTo(string path) => [.. requests.Where(r => r.Path == path)];

    /// <summary>The stream connections served so far, in order.</summary>
    public IReadOnlyList<FakeStream> Streams => [.. streams];

    /// <summary>The most stream connections that were open at the same time.</summary>
    public int MaxOpenStreams => Volatile.Read(ref maxOpenStreams);

    /// <summary>The stored filtered-stream rules, in the order they were added.</summary>
    public IReadOnlyList<FakeRule> Rules
    {
        get
        {
            lock (rules)
            {
                return [.. rules];
            }
        }
    }

    public static async Task<FakeXApi> StartAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var fake = new FakeXApi(builder.Build(), clock);
        await fake.app.StartAsync(cancellationToken);
        fake.BaseUrl = fake.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return fake;
    }

    /// <summary>Adds responses to the end of the search script.</summary>
    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            script.Enqueue(response);
        }
    }

    /// <summary>Adds a stream connection to the end of the stream script and returns it, so that the test can send on it.</summary>
    public FakeStream EnqueueStream()
    {
        var stream = new FakeStream();
        streamScript.Enqueue(stream);
        return stream;
    }

    /// <summary>Adds an error response to a stream connection attempt to the end of the stream script.</summary>
    public void EnqueueStreamError(ScriptedResponse response) => streamScript.Enqueue(response);

    /// <summary>Makes the next request to the rules endpoint fail with <paramref name="response"/>.</summary>
    public void EnqueueRulesError(ScriptedResponse response) => rulesErrors.Enqueue(response);

    /// <summary>Stores a rule as if an earlier run had added it.</summary>
    public void StoreRule(string id, string value, string? tag)
    {
        lock (rules)
        {
            rules.Add(new FakeRule(id, value, tag));
        }
    }

    /// <summary>Makes the rules endpoint reject <paramref name="value"/> as an invalid rule.</summary>
    public void RejectRuleValue(string value) => invalidRuleValues.Add(value);

    /// <summary>Waits, in real time, until <paramref name="count"/> requests arrived; fails after 30 seconds.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (requests.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The fake X API received {requests.Count} requests, not {count}, within 30 s.");
            }

            await Task.Delay(20, Xunit.TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in streams)
        {
            stream.Close();
        }

        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    private async Task<ReceivedRequest> RecordAsync(HttpContext context)
    {
        string? body = null;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            using var reader = new StreamReader(context.Request.Body);
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var request = new ReceivedRequest(
            context.Request.Path,
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.Headers.Authorization.ToString(),
            clock.GetUtcNow(),
            context.Request.Method,
            body);
        requests.Enqueue(request);
        return request;
    }

    private async Task HandleAsync(HttpContext context)
    {
        await RecordAsync(context);
        var response = script.TryDequeue(out var next) ? next : new ScriptedResponse(200, EmptyPage);
        await WriteAsync(context, response);
    }

    private async Task HandleStreamAsync(HttpContext context)
    {
        await RecordAsync(context);
        if (!streamScript.TryDequeue(out var next))
        {
            next = new FakeStream();
        }

        if (next is ScriptedResponse error)
        {
            await WriteAsync(context, error);
            return;
        }

        var stream = (FakeStream)next;
        streams.Enqueue(stream);
        var open = Interlocked.Increment(ref openStreams);
        for (var max = Volatile.Read(ref maxOpenStreams); open > max; max = Volatile.Read(ref maxOpenStreams))
        {
            Interlocked.CompareExchange(ref maxOpenStreams, open, max);
        }

        try
        {
            await stream.ServeAsync(context.Response, context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref openStreams);
        }
    }

    private async Task HandleListRulesAsync(HttpContext context)
    {
        await RecordAsync(context);
        if (rulesErrors.TryDequeue(out var error))
        {
            await WriteAsync(context, error);
            return;
        }

        var stored = Rules;
        var response = new JsonObject
        {
            ["meta"] = new JsonObject { ["sent"] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), ["result_count"] = stored.Count },
        };
        if (stored.Count > 0)
        {
            response["data"] = new JsonArray([.. stored.Select(ToJson)]);
        }

        await WriteAsync(context, new ScriptedResponse(200, response.ToJsonString()));
    }

    // Deletes by id, then adds; a value already stored or marked invalid comes back in 'errors', as the X API does it.
    private async Task HandleChangeRulesAsync(HttpContext context)
    {
        var request = await RecordAsync(context);
        if (rulesErrors.TryDequeue(out var error))
        {
            await WriteAsync(context, error);
            return;
        }

        var change = JsonNode.Parse(request.Body!)!.AsObject();
        var response = new JsonObject { ["meta"] = new JsonObject { ["sent"] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) } };
        var errors = new JsonArray();
        lock (rules)
        {
            if (change["delete"]?["ids"] is JsonArray ids)
            {
                var deleted = rules.RemoveAll(r => ids.Any(id => id!.GetValue<string>() == r.Id));
                response["meta"]!["summary"] = new JsonObject { ["deleted"] = deleted, ["not_deleted"] = ids.Count - deleted };
            }

            if (change["add"] is JsonArray add)
            {
                var created = new JsonArray();
                foreach (var item in add)
                {
                    var value = item!["value"]!.GetValue<string>();
                    var tag = item["tag"]?.GetValue<string>();
                    if (invalidRuleValues.Contains(value))
                    {
                        errors.Add(new JsonObject { ["value"] = value, ["title"] = "UnprocessableEntity", ["detail"] = "There were errors processing your request", ["type"] = "https://api.twitter.com/2/problems/invalid-rules" });
                    }
                    else if (rules.FirstOrDefault(r => r.Value == value) is { } existing)
                    {
                        errors.Add(new JsonObject { ["value"] = value, ["id"] = existing.Id, ["title"] = "DuplicateRule", ["type"] = "https://api.twitter.com/2/problems/duplicate-rules" });
                    }
                    else
                    {
                        var rule = new FakeRule((nextRuleId++).ToString(CultureInfo.InvariantCulture), value, tag);
                        rules.Add(rule);
                        created.Add(ToJson(rule));
                    }
                }

                response["data"] = created;
                response["meta"]!["summary"] = new JsonObject { ["created"] = created.Count, ["not_created"] = add.Count - created.Count, ["valid"] = created.Count, ["invalid"] = add.Count - created.Count };
            }
        }

        if (errors.Count > 0)
        {
            response["errors"] = errors;
        }

        await WriteAsync(context, new ScriptedResponse(200, response.ToJsonString()));
    }

    private static JsonNode ToJson(FakeRule rule)
    {
        var json = new JsonObject { ["id"] = rule.Id, ["value"] = rule.Value };
        if (rule.Tag is not null)
        {
            json["tag"] = rule.Tag;
        }

        return json;
    }

    private static async Task WriteAsync(HttpContext context, ScriptedResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    /// <summary>Headers of a rate-limited response whose window resets at <paramref name="resetAt"/>.</summary>
    public static Dictionary<string, string> RateLimitHeaders(int remaining, DateTimeOffset resetAt) => new()
    {
        ["x-rate-limit-limit"] = "450",
        ["x-rate-limit-remaining"] = remaining.ToString(CultureInfo.InvariantCulture),
        ["x-rate-limit-reset"] = resetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };
}
