using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pipeline.Core.Hosting;

/// <summary>Registers <see cref="LeaderLease"/> with its <c>LeaderLease</c> settings.</summary>
public static class LeaderLeaseHosting
{
    /// <summary>
    /// Adds a <see cref="LeaderLease"/> singleton. Its table, <c>collector.leader_leases</c>, comes
    /// with the collector's migrations.
    /// </summary>
    public static IHostApplicationBuilder AddLeaderLease(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LeaderLeaseOptions>()
            .Bind(builder.Configuration.GetSection(LeaderLeaseOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LeaderLeaseOptions>, LeaderLeaseOptionsValidator>();
        builder.Services.AddSingleton<LeaderLease>();
        return builder;
    }
}
