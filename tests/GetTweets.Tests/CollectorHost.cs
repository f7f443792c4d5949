using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Hosting;

namespace Pipeline.GetTweets.Tests;

/// <summary>
/// Builds the collector exactly as Program.cs does, from in-memory settings instead of environment
/// variables, with every log entry captured and, where the test drives time, a fake clock.
/// </summary>
internal static class CollectorHost
{
    public static IHost Build(string connectionString, IDictionary<string, string?> settings, CapturedLogs logs, TimeProvider? timeProvider = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:Postgres", connectionString)]);

        builder.AddPipelineDefaults();
        builder.AddCollector();

        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        return builder.Build();
    }

    /// <summary>Runs a collector to its end and returns the process exit code it would have.</summary>
    public static async Task<int> RunAsync(string connectionString, IDictionary<string, string?> settings, CapturedLogs? logs = null)
    {
        using var host = Build(connectionString, settings, logs ?? new CapturedLogs());
        return await host.RunServiceAsync("get_tweets");
    }

    /// <summary>The settings of a replay of <paramref name="path"/>.</summary>
    public static Dictionary<string, string?> Replay(string path) => new()
    {
        ["Collector:Source"] = "replay",
        ["Collector:Path"] = path,
    };
}
