using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;

namespace Pipeline.Core.Tests.Hosting;

public sealed class HostingOptionsTests
{
    [Theory]
    [InlineData("Hosting:HttpPort", "70000", "Hosting:HttpPort is 70000")]
    [InlineData("Hosting:StartupTimeout", "00:00:00", "Hosting:StartupTimeout is 00:00:00")]
    [InlineData("Hosting:ProgressTimeout", "-00:00:01", "Hosting:ProgressTimeout is -00:00:01")]
    public async Task Start_InvalidSetting_FailsNamingValue(string key, string value, string expected)
    {
        using var host = OperationsHost.Build("Host=127.0.0.1;Port=1", settings: new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidSetting_ReturnsFatalExitCode()
    {
        var host = OperationsHost.Build("Host=127.0.0.1;Port=1", settings: new() { ["Hosting:HttpPort"] = "-1" });

        Assert.Equal(PipelineHosting.FatalExitCode, await host.RunServiceAsync("test"));
    }
}
