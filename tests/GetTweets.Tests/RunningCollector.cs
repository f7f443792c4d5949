using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Hosting;
using Xunit;

namespace Pipeline.GetTweets.Tests;

/// <summary>A collector host running in the background; disposing it stops the host and waits for it.</summary>
internal sealed class RunningCollector : IAsyncDisposable
{
    private readonly IHost host;
    private readonly Task<int> run;

    private RunningCollector(IHost host)
    {
        this.host = host;
        run = host.RunServiceAsync("get_tweets");
    }

    /// <summary>
    /// The settings of a collector that reads the fake X API with a test token: requests never time
    /// out while the test moves the fake clock, and 5xx retries do not wait.
    /// </summary>
    public static Dictionary<string, string?> XApiSettings(FakeXApi api, string token) => new()
    {
        ["X:BaseUrl"] = api.BaseUrl,
        ["X:BearerToken"] = token,
        ["X:RequestTimeout"] = "1.00:00:00",
        ["X:RetryBaseDelay"] = "00:00:00",
    };

    /// <summary>Builds and starts a collector on <paramref name="database"/> with the fake clock.</summary>
    public static RunningCollector Start(string database, IDictionary<string, string?> settings, CapturedLogs logs, FakeTimeProvider clock) =>
        new(CollectorHost.Build(database, settings, logs, clock));

    /// <summary>True once the host has stopped.</summary>
    public bool HasExited => run.IsCompleted;

    /// <summary>Waits for the collector to exit on its own and returns its exit code; fails after 30 seconds.</summary>
    public async Task<int> WaitForExitAsync() => await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!run.IsCompleted)
        {
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }

        await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}

/// <summary>Moves a fake clock on while the code under test waits on it.</summary>
internal static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="clock"/> by <paramref name="step"/> every 20 ms of real time until
    /// <paramref name="condition"/> holds; fails after 30 seconds of real time, naming <paramref name="description"/>.
    /// Steps repeat because the code may start its wait only after an earlier step.
    /// </summary>
    public static Task AdvanceUntilAsync(this FakeTimeProvider clock, Func<bool> condition, TimeSpan step, string description) =>
        clock.AdvanceUntilAsync(() => Task.FromResult(condition()), step, description);

    /// <summary>Advances <paramref name="clock"/> as the overload above does, until an asynchronous <paramref name="condition"/> holds.</summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, Func<Task<bool>> condition, TimeSpan step, string description)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{description} did not happen within 30 s of real time (fake clock at {clock.GetUtcNow():O}).");
            }

            clock.Advance(step);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
