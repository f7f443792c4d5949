using System.Diagnostics;
using Xunit;

namespace Pipeline.Testing;

/// <summary>
/// Decides whether container tests can run. Without a Docker engine they are skipped with the
/// reason, unless <c>PIPELINE_REQUIRE_DOCKER=1</c> is set (as CI does): then a missing engine
/// fails them, so a skip never hides a broken set-up.
/// </summary>
public static class DockerEngine
{
    private static readonly Lazy<string?> Reason = new(Probe);

    /// <summary>True when CI demands that container tests run.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("PIPELINE_REQUIRE_DOCKER") == "1";

    /// <summary>Returns why no Docker engine can be used here, or null when one responds to <c>docker info</c>.</summary>
    public static string? UnavailableReason() => Reason.Value;

    /// <summary>Skips the running test when <paramref name="reason"/> is set, or fails it when Docker is required.</summary>
    public static void SkipWhenUnavailable(string? reason)
    {
        if (reason is null)
        {
            return;
        }

        if (Required)
        {
            Assert.Fail($"PIPELINE_REQUIRE_DOCKER=1 but Docker cannot be used: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>Returns true when the image exists locally; no registry is asked.</summary>
    public static bool HasImage(string image) =>
        UnavailableReason() is null && Run("docker", $"image inspect {image}").ExitCode == 0;

    /// <summary>Runs a command to completion and returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string fileName, string arguments, string? workingDirectory = null, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{fileName} {arguments} timed out after {timeout ?? TimeSpan.FromMinutes(2)}\n{output}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    private static string? Probe()
    {
        try
        {
            var (exitCode, output) = Run("docker", "info --format {{.ServerVersion}}", timeout: TimeSpan.FromSeconds(20));
            return exitCode == 0 ? null : $"No Docker engine answers here (docker info: {output.Trim()}).";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"No docker command is installed here ({ex.Message}).";
        }
    }
}
