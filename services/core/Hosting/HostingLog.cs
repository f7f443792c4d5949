using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Hosting;

/// <summary>Log messages of the shared hosting code; event ids 1100-1199.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1100, LogLevel.Information, "Applied migration {Component} {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, string component, int version, string name);

    [LoggerMessage(1101, LogLevel.Information, "Database schema {Component} is up to date ({Applied} migrations applied now)")]
    public static partial void SchemaReady(ILogger logger, string component, int applied);

    [LoggerMessage(1102, LogLevel.Critical, "{Service} is stopping after a fatal error; exit code {ExitCode}")]
    public static partial void FatalError(ILogger logger, string service, int exitCode, Exception exception);

    [LoggerMessage(1103, LogLevel.Critical, "{Service} stopped because a background service failed; exit code {ExitCode}")]
    public static partial void BackgroundServiceFailed(ILogger logger, string service, int exitCode);

    [LoggerMessage(1104, LogLevel.Information, "Serving /healthz and /metrics on port {Port}")]
    public static partial void EndpointStarted(ILogger logger, int port);

    [LoggerMessage(1105, LogLevel.Information, "Health check: the service is healthy")]
    public static partial void BecameHealthy(ILogger logger);

    [LoggerMessage(1106, LogLevel.Warning, "Health check: the service is {Status}. {Failing}")]
    public static partial void BecameUnhealthy(ILogger logger, Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus status, string failing);

    [LoggerMessage(1107, LogLevel.Warning, "PostgreSQL is not reachable yet ({Error}); retrying for up to {StartupTimeout} in all (Hosting:StartupTimeout)")]
    public static partial void WaitingForDatabase(ILogger logger, string error, TimeSpan startupTimeout);
}
