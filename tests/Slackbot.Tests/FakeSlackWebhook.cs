using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.Slackbot.Tests;

/// <summary>A post the stand-in received: its JSON body and the fake clock's time when it arrived.</summary>
internal sealed record ReceivedPost(string Body, string? ContentType, DateTimeOffset ReceivedAt);

/// <summary>A scripted response: status, body, extra headers, and whether to hang until the client gives up.</summary>
internal sealed record ScriptedResponse(int StatusCode, string Body = "ok", IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false);

/// <summary>
/// A stand-in for a Slack incoming webhook on 127.0.0.1 (Kestrel, random port). Posts to
/// <see cref="SecretPath"/> get the scripted responses in order and, once those are used up,
/// <c>200 ok</c> as Slack sends; any other path gets <c>404 no_service</c>.
/// </summary>
internal sealed class FakeSlackWebhook : IAsyncDisposable
{
    /// <summary>The path of the webhook, shaped like Slack's; the tests check that it never reaches a log line.</summary>
    public const string SecretPath = "/services/T0FAKETEAM/B0FAKEHOOK/s3cretW3bhookT0ken";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ScriptedResponse> script = new();
    private readonly ConcurrentQueue<ReceivedPost> posts = new();
    private readonly TimeProvider clock;

    private FakeSlackWebhook(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        this.clock = clock;
        app.MapPost(SecretPath, HandleAsync);
        app.MapFallback(async context =>
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("no_service", context.RequestAborted);
        });
    }

    /// <summary>The webhook URL to configure as <c>Slack:WebhookUrl</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The posts received so far, in order.</summary>
    public IReadOnlyList<ReceivedPost> Posts => [.. posts];

    public static async Task<FakeSlackWebhook> StartAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var fake = new FakeSlackWebhook(builder.Build(), clock);
        await fake.app.StartAsync(cancellationToken);
        var address = fake.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        fake.Url = address.TrimEnd('/') + SecretPath;
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

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        posts.Enqueue(new ReceivedPost(body, context.Request.ContentType, clock.GetUtcNow()));

        var response = script.TryDequeue(out var next) ? next : new ScriptedResponse(200);
        if (response.Hang)
        {
            // Until the client gives up and closes the connection.
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = "text/html";
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }
}
