using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Core.Tweets;
using Xunit;

namespace Pipeline.MongoWriter.Tests;

/// <summary>The deletion setting and the writer's commands as Program.cs wires them, without a server.</summary>
public sealed class MongoWriterSettingsTests
{
    [Fact]
    public async Task Start_InvalidDeletionsMode_FailsNamingValue()
    {
        using var host = MongoWriterServiceTests.BuildHost(new()
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1",
            ["ConnectionStrings:Mongo"] = "mongodb://127.0.0.1:1",
            ["Deletions:Mode"] = "erase",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Deletions:Mode is 'erase'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, DeletionMode.Flag)]
    [InlineData("remove", DeletionMode.Remove)]
    public void DeletionsMode_Bound(string? mode, DeletionMode expected)
    {
        // Null leaves the setting out.
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1",
            ["ConnectionStrings:Mongo"] = "mongodb://127.0.0.1:1",
        };
        if (mode is not null)
        {
            settings["Deletions:Mode"] = mode;
        }

        using var host = MongoWriterServiceTests.BuildHost(settings);

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<DeletionOptions>>().Value.SelectedMode);
    }

    [Fact]
    public async Task UnknownCommand_ReturnsUsageExitCode()
    {
        Assert.Equal(MongoWriterCommands.UsageExitCode, await MongoWriterCommands.RunAsync(["rescores"]));
    }

    [Theory]
    [InlineData(new[] { "rescore" }, true)]
    [InlineData(new[] { "--Rescore:BatchSize=5" }, false)]
    [InlineData(new string[0], false)]
    public void IsCommand_Cases(string[] args, bool expected)
    {
        Assert.Equal(expected, MongoWriterCommands.IsCommand(args));
    }
}
