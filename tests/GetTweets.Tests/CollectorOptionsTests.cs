using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Xunit;

namespace Pipeline.GetTweets.Tests;

public sealed class CollectorOptionsTests
{
    // Options are validated before any database connection, so no server needs to listen here.
    private const string UnusedDatabase = "Host=127.0.0.1;Port=1;Username=unused;Password=unused;Database=unused";

    [Fact]
    public void Defaults_WithoutToken_ReplayBundledSample()
    {
        var options = Resolve(new Dictionary<string, string?>());

        Assert.Equal(CollectorOptions.Replay, options.Source);
        Assert.Equal(CollectorOptions.BundledSamplePath, options.Path);
    }

    [Fact]
    public void Defaults_WithToken_RecentSearch()
    {
        var options = Resolve(new Dictionary<string, string?> { ["X:BearerToken"] = "a-token", ["Collector:Query"] = "#brexit" });

        Assert.Equal(CollectorOptions.RecentSearch, options.Source);
    }

    [Fact]
    public async Task Start_RecentSearchWithoutQuery_FailsNamingSetting()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, new Dictionary<string, string?> { ["X:BearerToken"] = "a-secret-token" }, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("Collector__Query", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.FullText.Contains("a-secret-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ImportWithoutPath_FailsNamingSetting()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, new Dictionary<string, string?> { ["Collector:Source"] = "import" }, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("Collector__Path", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_MissingPath_FailsNamingValue()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, CollectorHost.Replay("/no/such/archive.jsonl"), logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("'/no/such/archive.jsonl' was not found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_UnknownSource_FailsNamingValue()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, new Dictionary<string, string?> { ["Collector:Source"] = "filtered_stream" }, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("'filtered_stream'", StringComparison.Ordinal));
    }

    private static CollectorOptions Resolve(Dictionary<string, string?> settings)
    {
        using var host = CollectorHost.Build(UnusedDatabase, settings, new CapturedLogs());
        return host.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
    }
}
