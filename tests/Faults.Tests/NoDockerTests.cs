using Pipeline.Testing;
using Xunit;

namespace Pipeline.Faults.Tests;

/// <summary>
/// Runs container tests of another project in a child <c>dotnet test</c> whose Docker endpoint does
/// not exist, as on a machine without Docker: they must report skipped with the reason, and the
/// tests that need no container must still pass.
/// </summary>
public sealed class NoDockerTests
{
    // One class that needs PostgreSQL and one that needs no container.
    private const string Filter = "FullyQualifiedName~Pipeline.PostgresWriter.Tests.FaultCaseTests|FullyQualifiedName~Pipeline.PostgresWriter.Tests.NullCharactersTests";

    private static readonly Lazy<(int ExitCode, string Output)> Run = new(RunWithoutDocker);

    [Fact]
    public void DotnetTest_NoDocker_ExitsZero()
    {
        Assert.Equal(0, Run.Value.ExitCode);
    }

    [Fact]
    public void DotnetTest_NoDocker_ReportsContainerTestsSkipped()
    {
        Assert.Matches(@"Skipped:\s+3\b", Run.Value.Output);
    }

    [Fact]
    public void DotnetTest_NoDocker_PrintsSkipReason()
    {
        Assert.Contains("No Docker engine answers here", Run.Value.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void DotnetTest_NoDocker_RunsOtherTests()
    {
        Assert.Matches(@"Passed:\s+[1-9]", Run.Value.Output);
    }

    [Fact]
    public void DotnetTest_NoDocker_FailsNothing()
    {
        Assert.Contains("Test Run Successful.", Run.Value.Output, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) RunWithoutDocker()
    {
        // This assembly runs from bin/<configuration>/<framework>/; the referenced test project was built with the same configuration.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var project = Path.Combine(TestData.RepositoryRoot, "tests", "PostgresWriter.Tests", "PostgresWriter.Tests.csproj");
        var environment = new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = "unix:///nonexistent.sock",
            ["PIPELINE_REQUIRE_DOCKER"] = "0",
        };

        var result = DockerEngine.Run(
            "dotnet",
            $"test \"{project}\" --no-build -c {configuration} --filter \"{Filter}\" --logger \"console;verbosity=detailed\"",
            TestData.RepositoryRoot,
            TimeSpan.FromMinutes(5),
            environment);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Output);
        return result;
    }
}
