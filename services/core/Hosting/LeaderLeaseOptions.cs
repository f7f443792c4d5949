using Microsoft.Extensions.Options;

namespace Pipeline.Core.Hosting;

/// <summary>Settings of the configuration section <c>LeaderLease</c>: how long a lease lasts and who holds it.</summary>
public sealed class LeaderLeaseOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>LeaderLease__Duration</c>.</summary>
    public const string SectionName = "LeaderLease";

    /// <summary>The default lease: a standby takes over at most this long after the leader died.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(30);

    /// <summary>The shortest lease accepted, so that a renewal every third of it still has a second to complete.</summary>
    public static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(3);

    /// <summary>The longest lease accepted.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a lease lasts without renewal. The leader renews it every third of this, and a
    /// standby tries to take it over as often.
    /// </summary>
    public TimeSpan Duration { get; set; } = DefaultDuration;

    /// <summary>
    /// The name this process holds leases under, unique per process. When unset it is the host
    /// name (the pod or container name), the process id and a random suffix.
    /// </summary>
    public string? Owner { get; set; }

    /// <summary>Returns the errors of these settings, each naming the bad value and the fix.</summary>
    public IEnumerable<string> Validate()
    {
        if (Duration < MinDuration || Duration > MaxDuration)
        {
            yield return $"LeaderLease:Duration is {Duration}: set LeaderLease__Duration to a time span from {MinDuration} to {MaxDuration}, such as 00:00:30.";
        }

        if (Owner is { } owner && (owner.Trim().Length == 0 || owner.Length > 200))
        {
            yield return $"LeaderLease:Owner is '{owner}': set LeaderLease__Owner to a name of 1 to 200 characters that no other process uses, or leave it unset.";
        }
    }
}

/// <summary>Checks <see cref="LeaderLeaseOptions"/> when the host starts.</summary>
internal sealed class LeaderLeaseOptionsValidator : IValidateOptions<LeaderLeaseOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaderLeaseOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
