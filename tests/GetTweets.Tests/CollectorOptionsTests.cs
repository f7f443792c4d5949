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

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, new Dictionary<string, string?> { ["Collector:Source"] = "sample_stream" }, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("'sample_stream'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("recent_search", "500", "10 to 100")]
    [InlineData("full_archive_search", "600", "10 to 500")]
    [InlineData("full_archive_search", "5", "10 to 500")]
    public async Task Start_MaxResultsOutOfRange_FailsNamingLimits(string source, string maxResults, string range)
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, Search(source, new() { ["Collector:MaxResults"] = maxResults }), logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains($"Collector:MaxResults is {maxResults}", StringComparison.Ordinal) && e.FullText.Contains(range, StringComparison.Ordinal));
    }

    [Fact]
    public void Options_FullArchiveMaxResults500_Valid()
    {
        var options = Resolve(Search("full_archive_search", new() { ["Collector:MaxResults"] = "500" }));

        Assert.Equal(500, options.MaxResults);
    }

    [Fact]
    public async Task Start_StartTimeWithSinceId_FailsNamingBoth()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, Search("full_archive_search", new() { ["Collector:StartTime"] = "2021-01-01T00:00:00Z", ["Collector:SinceId"] = "1394735776701816833" }), logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("Collector__StartTime and Collector__SinceId", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_EndBeforeStart_FailsNamingValues()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, Search("recent_search", new() { ["Collector:StartTime"] = "2021-02-01T00:00:00Z", ["Collector:EndTime"] = "2021-01-01T00:00:00Z" }), logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("is not before Collector:EndTime", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_InvalidStartTime_FailsNamingValue()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, Search("full_archive_search", new() { ["Collector:StartTime"] = "last tuesday" }), logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("Collector:StartTime", StringComparison.Ordinal) && e.FullText.Contains("last tuesday", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_StreamRules_BoundFromIndexedKeys()
    {
        var options = Resolve(new Dictionary<string, string?>
        {
            ["X:BearerToken"] = "a-token",
            ["Collector:Source"] = "filtered_stream",
            ["Collector:Rules:0:Value"] = "#brexit lang:en",
            ["Collector:Rules:0:Tag"] = "brexit",
            ["Collector:Rules:1:Value"] = "#kpop",
        });

        Assert.Equal(["#brexit lang:en", "#kpop"], options.Rules.Select(r => r.Value));
        Assert.Equal(["brexit", null], options.Rules.Select(r => r.Tag));
    }

    [Fact]
    public async Task Start_StreamWithoutRules_FailsNamingSetting()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, new Dictionary<string, string?> { ["X:BearerToken"] = "a-token", ["Collector:Source"] = "filtered_stream" }, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("Collector__Rules__0__Value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_StreamDuplicateRuleValue_FailsNamingValue()
    {
        var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>
        {
            ["X:BearerToken"] = "a-token",
            ["Collector:Source"] = "filtered_stream",
            ["Collector:Rules:0:Value"] = "#brexit",
            ["Collector:Rules:0:Tag"] = "one",
            ["Collector:Rules:1:Value"] = "#brexit",
            ["Collector:Rules:1:Tag"] = "two",
        };

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, settings, logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("'#brexit' 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_UsageCapRetryAfterUnderAMinute_Fails()
    {
        var logs = new CapturedLogs();

        var exitCode = await CollectorHost.RunAsync(UnusedDatabase, Search("recent_search", new() { ["Collector:UsageCapRetryAfter"] = "00:00:05" }), logs);

        Assert.Equal(PipelineHosting.FatalExitCode, exitCode);
        Assert.Contains(logs.Entries, e => e.FullText.Contains("Collector:UsageCapRetryAfter is 00:00:05", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_UsageCapRetryAfter_OneDay()
    {
        var options = Resolve(Search("recent_search", []));

        Assert.Equal(TimeSpan.FromHours(24), options.UsageCapRetryAfter);
    }

    private static Dictionary<string, string?> Search(string source, Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["X:BearerToken"] = "a-token",
            ["Collector:Source"] = source,
            ["Collector:Query"] = "#brexit",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static CollectorOptions Resolve(Dictionary<string, string?> settings)
    {
        using var host = CollectorHost.Build(UnusedDatabase, settings, new CapturedLogs());
        return host.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
    }
}
