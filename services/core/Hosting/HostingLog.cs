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
}
