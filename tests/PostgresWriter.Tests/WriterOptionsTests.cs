using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Core.Tweets;
using Xunit;

namespace Pipeline.PostgresWriter.Tests;

/// <summary>The writer's Deletions and Database settings as the host binds them from configuration.</summary>
public sealed class WriterOptionsTests
{
    [Fact]
    public void DeletionsMode_Invalid_NamesValueAndSetting()
    {
        using var host = BuildHost(new() { ["Deletions:Mode"] = "purge" });

        var exception = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<DeletionOptions>>().Value);

        Assert.Contains("'purge'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Deletions__Mode", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, DeletionMode.Flag)]
    [InlineData("remove", DeletionMode.Remove)]
    [InlineData("FLAG", DeletionMode.Flag)]
    public void DeletionsMode_Valid_SelectsMode(string? mode, DeletionMode expected)
    {
        // Null leaves the setting out.
        using var host = BuildHost(mode is null ? [] : new() { ["Deletions:Mode"] = mode });

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<DeletionOptions>>().Value.SelectedMode);
    }

    [Fact]
    public void AnalystPassword_IsBoundFromDatabaseSection()
    {
        using var host = BuildHost(new() { ["Database:AnalystPassword"] = "secret" });

        Assert.Equal("secret", host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.AnalystPassword);
    }

    [Fact]
    public void AnalystPasswordFile_ReadsWithoutLineBreak()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "from-a-secret\n");
        using var host = BuildHost(new() { ["Database:AnalystPasswordFile"] = file });

        var password = host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ReadAnalystPassword();

        File.Delete(file);
        Assert.Equal("from-a-secret", password);
    }

    [Fact]
    public void AnalystPasswordAndFile_Rejected()
    {
        using var host = BuildHost(new() { ["Database:AnalystPassword"] = "secret", ["Database:AnalystPasswordFile"] = "/run/secrets/analyst" });

        var exception = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value);

        Assert.Contains("set only one", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnalystPasswordFile_Missing_NamesFile()
    {
        using var host = BuildHost(new() { ["Database:AnalystPasswordFile"] = "/no/such/file" });

        var exception = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value);

        Assert.Contains("'/no/such/file' cannot be read", exception.Message, StringComparison.Ordinal);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPostgresWriter();
        return builder.Build();
    }
}
