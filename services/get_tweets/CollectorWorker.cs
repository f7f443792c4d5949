using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.GetTweets.Replay;
using Pipeline.GetTweets.Search;

namespace Pipeline.GetTweets;

/// <summary>
/// Runs the configured source. A replay or import stops the host when its files are read, so the
/// process exits 0; recent search runs until the host stops. A rejected bearer token ends the
/// worker with the exception, which makes the process exit non-zero.
/// </summary>
internal sealed class CollectorWorker(
    IServiceProvider services,
    IOptions<CollectorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<CollectorWorker> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Source == CollectorOptions.RecentSearch)
        {
            try
            {
                await services.GetRequiredService<RecentSearch>().RunAsync(stoppingToken);
            }
            catch (XApiAuthorizationException ex)
            {
                Log.AuthorizationFailed(logger, ex.Message);
                throw;
            }

            return;
        }

        await services.GetRequiredService<FileReplay>().RunAsync(stoppingToken);
        lifetime.StopApplication();
    }
}
