using Pipeline.Testing;

namespace Deploy.Tests;

/// <summary>
/// Renders kustomizations with <c>kubectl kustomize</c>, which needs no cluster. Without kubectl
/// the tests are skipped with the reason, unless <c>PIPELINE_REQUIRE_KUBECTL=1</c> is set: then a
/// missing kubectl fails them.
/// </summary>
internal static class Kubectl
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>The repository's Kubernetes folder, <c>deploy/k8s</c>.</summary>
    public static string ManifestRoot { get; } = Path.Combine(TestData.RepositoryRoot, "deploy", "k8s");

    /// <summary>Returns the rendered YAML of the kustomization in <paramref name="directory"/>; skips the test without kubectl.</summary>
    public static string Kustomize(string directory)
    {
        if (Unavailable.Value is { } reason)
        {
            if (Environment.GetEnvironmentVariable("PIPELINE_REQUIRE_KUBECTL") == "1")
            {
                Assert.Fail($"PIPELINE_REQUIRE_KUBECTL=1 but kubectl cannot be used: {reason}");
            }

            Assert.Skip(reason);
        }

        var (exitCode, output) = DockerEngine.Run("kubectl", $"kustomize \"{directory}\"", timeout: TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed with exit code {exitCode}:\n{output}");
        return output;
    }

    private static string? Probe()
    {
        try
        {
            var (exitCode, output) = DockerEngine.Run("kubectl", "version --client", timeout: TimeSpan.FromSeconds(30));
            return exitCode == 0 ? null : $"kubectl version --client failed: {output.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"No kubectl command is installed here ({ex.Message}); install the Debian package kubectl to run these tests.";
        }
    }
}
