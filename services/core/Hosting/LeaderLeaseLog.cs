using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Hosting;

/// <summary>Log messages of <see cref="LeaderLease"/>, in the hosting band at 1120-1129.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1120, LogLevel.Information, "Standing by: {Holder} holds the leader lease {LeaseKey}; {Owner} tries to take it over every {CheckInterval}")]
    public static partial void StandingBy(ILogger logger, string leaseKey, string holder, string owner, TimeSpan checkInterval);

    [LoggerMessage(1121, LogLevel.Information, "Acquired the leader lease {LeaseKey} as {Owner} until {LeaseUntil:O}")]
    public static partial void LeaseAcquired(ILogger logger, string leaseKey, string owner, DateTimeOffset leaseUntil);

    [LoggerMessage(1122, LogLevel.Warning, "Lost the leader lease {LeaseKey}: it is held by {Holder} now, so {Owner} stops its work and stands by")]
    public static partial void LeaseLost(ILogger logger, string leaseKey, string holder, string owner);

    [LoggerMessage(1123, LogLevel.Warning, "Renewing the leader lease {LeaseKey} failed ({Error}); retrying until it expires at {LeaseUntil:O}")]
    public static partial void RenewFailed(ILogger logger, string leaseKey, string error, DateTimeOffset leaseUntil);

    [LoggerMessage(1124, LogLevel.Warning, "The leader lease {LeaseKey} expired at {LeaseUntil:O} before a renewal succeeded, so {Owner} stops its work and stands by")]
    public static partial void LeaseExpired(ILogger logger, string leaseKey, DateTimeOffset leaseUntil, string owner);

    [LoggerMessage(1125, LogLevel.Warning, "Checking the leader lease {LeaseKey} failed ({Error}); retrying every {CheckInterval} ({Repeats} identical failures not logged)")]
    public static partial void AcquireFailed(ILogger logger, string leaseKey, string error, TimeSpan checkInterval, int repeats);

    [LoggerMessage(1126, LogLevel.Information, "Released the leader lease {LeaseKey}")]
    public static partial void LeaseReleased(ILogger logger, string leaseKey);

    [LoggerMessage(1127, LogLevel.Warning, "Releasing the leader lease {LeaseKey} failed ({Error}); a standby takes it over when it expires")]
    public static partial void ReleaseFailed(ILogger logger, string leaseKey, string error);
}
