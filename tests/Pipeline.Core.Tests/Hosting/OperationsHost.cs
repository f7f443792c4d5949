using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;

namespace Pipeline.Core.Tests.Hosting;

/// <summary>
/// Builds hosts the way the services' Program.cs does, from in-memory settings only: pipeline
/// defaults, the operations endpoint on a free port, and whatever the test adds.
/// </summary>
internal static class OperationsHost
{
    public static IHost Build(string connectionString, Action<HostApplicationBuilder>? configure = null, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Hosting:HttpPort"] = "0",
            ["Queue:Subscription"] = "writer",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddPipelineDefaults();
        builder.AddOperations();
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>Sends GET <paramref name="path"/> to the host's operations endpoint and returns the status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(IHost host, string path)
    {
        var port = host.Services.GetRequiredService<OperationsEndpoint>().Port;
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Polls <c>/healthz</c> until it returns 200 or <paramref name="limit"/> passes; returns the last response.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> WaitUntilHealthyAsync(IHost host, TimeSpan limit)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            var answer = await GetAsync(host, "/healthz");
            if (answer.Status == HttpStatusCode.OK || DateTimeOffset.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        }
    }
}
