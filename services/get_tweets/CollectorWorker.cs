using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.GetTweets.Replay;
using Pipeline.GetTweets.Search;
using Pipeline.GetTweets.Streaming;
using Pipeline.GetTweets.Synthetic;

namespace Pipeline.GetTweets;

/// <summary>
/// Runs the configured source. A replay or import stops the host when its files are read, a
/// synthetic source when its last page is committed, and so
/// does a search whose range has an end once it has collected the range, so the process exits 0.
/// Other searches and the filtered stream run until the host stops. A rejected bearer token or
/// stream rule ends the worker with the exception, which makes the process exit non-zero.
/// </summary>
internal sealed class CollectorWorker(
    IServiceProvider services,
    IOptions<CollectorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<CollectorWorker> logger) : BackgroundService
{
    /// <summary>
    /// Collects only while this replica holds the leader lease of the source's checkpoint key, so
    /// that of several replicas one collects and the others stand by.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        services.GetRequiredService<LeaderLease>().RunWhileLeadingAsync(
            LeaseKey(), CollectAsync, services.GetRequiredService<CollectorMetrics>().Waiting, stoppingToken);

    private string LeaseKey() => options.Value.Source switch
    {
        CollectorOptions.RecentSearch or CollectorOptions.FullArchiveSearch => services.GetRequiredService<SearchPoller>().SourceKey,
        CollectorOptions.FilteredStream => StreamBatchWriter.SourceKey,
        CollectorOptions.Synthetic => services.GetRequiredService<SyntheticSource>().SourceKey,
        _ => options.Value.Source + ":" + options.Value.Path,
    };

    private async Task CollectAsync(CancellationToken stoppingToken)
    {
        try
        {
            switch (options.Value.Source)
            {
                case CollectorOptions.RecentSearch or CollectorOptions.FullArchiveSearch:
                    await services.GetRequiredService<SearchPoller>().RunAsync(stoppingToken);
                    break;
                case CollectorOptions.FilteredStream:
                    await services.GetRequiredService<FilteredStream>().RunAsync(stoppingToken);
                    return;
                case CollectorOptions.Synthetic:
                    await services.GetRequiredService<SyntheticSource>().RunAsync(stoppingToken);
                    break;
                default:
                    await services.GetRequiredService<FileReplay>().RunAsync(stoppingToken);
                    break;
            }
        }
        catch (XApiAuthorizationException ex)
        {
            Log.AuthorizationFailed(logger, ex.Message);
            throw;
        }
        catch (StreamRulesRejectedException ex)
        {
            Log.StreamRulesRejected(logger, ex.Message);
            throw;
        }

        lifetime.StopApplication();
    }
}
