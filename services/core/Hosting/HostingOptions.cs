using Microsoft.Extensions.Options;

namespace Pipeline.Core.Hosting;

/// <summary>Settings of the configuration section <c>Hosting</c>: the operations port, start-up patience and liveness.</summary>
public sealed class HostingOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>Hosting__HttpPort</c>.</summary>
    public const string SectionName = "Hosting";

    /// <summary>The default port of <c>/healthz</c> and <c>/metrics</c>.</summary>
    public const int DefaultHttpPort = 8080;

    /// <summary>The default time a service waits for PostgreSQL at start before it gives up.</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The default time the collector may go without committing a page or starting a planned wait.</summary>
    public static readonly TimeSpan DefaultCollectorProgressTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The TCP port of <c>/healthz</c> and <c>/metrics</c>, on every interface; 0 picks a free port.</summary>
    public int HttpPort { get; set; } = DefaultHttpPort;

    /// <summary>How long start-up retries an unreachable PostgreSQL before the service exits with code 1.</summary>
    public TimeSpan StartupTimeout { get; set; } = DefaultStartupTimeout;

    /// <summary>
    /// How long the main loop may go without progress before <c>/healthz</c> reports the service
    /// unhealthy. When unset, a queue consumer allows 3 poll intervals plus one lease and the
    /// collector allows <see cref="DefaultCollectorProgressTimeout"/> beyond its planned waits.
    /// </summary>
    public TimeSpan? ProgressTimeout { get; set; }

    /// <summary>Returns the errors of these settings, each naming the bad value and the fix.</summary>
    public IEnumerable<string> Validate()
    {
        if (HttpPort is < 0 or > 65535)
        {
            yield return $"Hosting:HttpPort is {HttpPort}: set Hosting__HttpPort to a TCP port from 1 to 65535 (0 picks a free port).";
        }

        if (StartupTimeout <= TimeSpan.Zero || StartupTimeout > TimeSpan.FromHours(1))
        {
            yield return $"Hosting:StartupTimeout is {StartupTimeout}: set Hosting__StartupTimeout to a time span above 0 and at most 01:00:00, such as 00:02:00.";
        }

        if (ProgressTimeout is { } progress && progress <= TimeSpan.Zero)
        {
            yield return $"Hosting:ProgressTimeout is {progress}: set Hosting__ProgressTimeout to a positive time span such as 00:05:00, or leave it unset.";
        }
    }
}

/// <summary>Checks <see cref="HostingOptions"/> when the host starts.</summary>
internal sealed class HostingOptionsValidator : IValidateOptions<HostingOptions>
{
    public ValidateOptionsResult Validate(string? name, HostingOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
