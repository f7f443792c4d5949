using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.GetTweets.Tests;

/// <summary>A request the fake received: its query parameters, Authorization header and the fake clock's time.</summary>
internal sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Query, string? Authorization, DateTimeOffset ReceivedAt);

/// <summary>A scripted response: status, JSON body and extra headers.</summary>
internal sealed record ScriptedResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A stand-in for the X API on 127.0.0.1 (Kestrel, random port). It returns the scripted responses
/// to recent-search requests in order and, once they are used up, an empty result page.
/// </summary>
internal sealed class FakeXApi : IAsyncDisposable
{
    public const string EmptyPage = """{"meta":{"result_count":0}}""";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ScriptedResponse> script = new();
    private readonly ConcurrentQueue<ReceivedRequest> requests = new();
    private readonly TimeProvider clock;

    private FakeXApi(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        this.clock = clock;
        app.MapGet("/2/tweets/search/recent", HandleAsync);
    }

    /// <summary>The base address to configure as <c>X:BaseUrl</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. requests];

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

    /// <summary>Adds responses to the end of the script.</summary>
    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            script.Enqueue(response);
        }
    }

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
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        requests.Enqueue(new ReceivedRequest(
            context.Request.Path,
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.Headers.Authorization.ToString(),
            clock.GetUtcNow()));

        var response = script.TryDequeue(out var next) ? next : new ScriptedResponse(200, EmptyPage);
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
