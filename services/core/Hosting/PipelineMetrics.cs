using Prometheus;

namespace Pipeline.Core.Hosting;

/// <summary>
/// The Prometheus registry of one host, served on <c>/metrics</c>. Each host has its own registry
/// rather than prometheus-net's static default, so two hosts in one process (as in tests) count
/// separately. It also carries the process and .NET runtime metrics of <see cref="DotNetStats"/>.
/// </summary>
public sealed class PipelineMetrics
{
    /// <summary>The content type of the Prometheus text exposition format 0.0.4.</summary>
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Creates a registry with the process and runtime metrics in it.</summary>
    public PipelineMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
    }

    /// <summary>The registry that <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates metrics in <see cref="Registry"/>.</summary>
    public IMetricFactory Factory { get; }

    /// <summary>Writes every metric in the Prometheus text format.</summary>
    public Task WriteTextAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <summary>Returns the number of seconds since the Unix epoch, the unit of Prometheus timestamps.</summary>
    internal static double UnixSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}
