using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Pipeline.Core.Hosting;

/// <summary>The process that holds a leader lease, and until when.</summary>
/// <param name="Owner">The holder's <see cref="LeaderLeaseOptions.Owner"/>.</param>
/// <param name="LeaseUntil">When the lease expires unless the holder renews it.</param>
public sealed record LeaseHolder(string Owner, DateTimeOffset LeaseUntil);

/// <summary>
/// Elects one leader per lease key among any number of replicas, with a row of
/// <c>collector.leader_leases</c> (owner, lease_until) in PostgreSQL. The leader renews its lease
/// every third of <see cref="LeaderLeaseOptions.Duration"/>; a standby takes the row over once
/// lease_until has passed, so it leads at most one lease after the leader died.
/// </summary>
/// <remarks>
/// A lease row is used rather than a session-level advisory lock, because an advisory lock belongs
/// to one connection. A dropped connection (a network blip, a PostgreSQL restart) frees it at once,
/// and behind PgBouncer in transaction mode no fixed connection keeps a session lock at all. A
/// lease survives short outages and works through any pooler. Times come from the injected
/// <see cref="TimeProvider"/> of each replica, so replicas' clocks must agree to well within a
/// third of the lease; the leader stops its work one renewal before its lease would expire.
/// </remarks>
public sealed class LeaderLease
{
    private const string AcquireSql = """
        with taken as (
            insert into collector.leader_leases as lease (lease_key, owner, lease_until, acquired_at)
            values ($1, $2, $4, $3)
            on conflict (lease_key) do update
               set owner = excluded.owner,
                   lease_until = excluded.lease_until,
                   acquired_at = case when lease.owner = excluded.owner then lease.acquired_at else excluded.acquired_at end
             where lease.owner = excluded.owner or lease.lease_until <= $3
            returning lease.owner, lease.lease_until
        )
        select owner, lease_until from taken
        union all
        select owner, lease_until from collector.leader_leases
         where lease_key = $1 and not exists (select 1 from taken)
        """;

    // The renewal also extends an expired lease that no other process has taken over, because none has led since.
    private const string RenewSql = """
        with renewed as (
            update collector.leader_leases
               set lease_until = $4
             where lease_key = $1 and owner = $2
            returning owner, lease_until
        )
        select owner, lease_until from renewed
        union all
        select owner, lease_until from collector.leader_leases
         where lease_key = $1 and not exists (select 1 from renewed)
        """;

    private const string ReleaseSql = "delete from collector.leader_leases where lease_key = $1 and owner = $2";

    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(3);

    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly RepeatedErrorThrottle acquireErrors;

    /// <summary>Creates a contender for leader leases under the configured owner name.</summary>
    public LeaderLease(NpgsqlDataSource dataSource, TimeProvider timeProvider, IOptions<LeaderLeaseOptions> options, ILogger<LeaderLease> logger)
    {
        this.dataSource = dataSource;
        this.timeProvider = timeProvider;
        this.logger = logger;
        Duration = options.Value.Duration;
        Owner = string.IsNullOrWhiteSpace(options.Value.Owner)
            ? $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}"
            : options.Value.Owner;
        acquireErrors = new RepeatedErrorThrottle(timeProvider, TimeSpan.FromMinutes(1));
    }

    /// <summary>The name this process holds leases under.</summary>
    public string Owner { get; }

    /// <summary>How long a lease lasts without renewal.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How often the leader renews its lease and a standby tries to take it over: a third of <see cref="Duration"/>.</summary>
    public TimeSpan RenewInterval => Duration / 3;

    /// <summary>
    /// Takes the lease of <paramref name="leaseKey"/> when it is free, expired or already ours, and
    /// returns its holder afterwards: this process when it leads, another one when it does not, or
    /// null when the other holder committed too late for this statement to read its row.
    /// </summary>
    public Task<LeaseHolder?> TryAcquireAsync(string leaseKey, CancellationToken cancellationToken) =>
        ExecuteAsync(AcquireSql, leaseKey, cancellationToken);

    /// <summary>
    /// Moves the end of our lease of <paramref name="leaseKey"/> one <see cref="Duration"/> past now,
    /// and returns the holder afterwards. Another holder, or null, means this process lost the lease.
    /// </summary>
    public Task<LeaseHolder?> RenewAsync(string leaseKey, CancellationToken cancellationToken) =>
        ExecuteAsync(RenewSql, leaseKey, cancellationToken);

    /// <summary>Deletes our lease of <paramref name="leaseKey"/>, so a standby takes over at its next try instead of after expiry.</summary>
    public async Task ReleaseAsync(string leaseKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(new NpgsqlParameter { Value = leaseKey });
        command.Parameters.Add(new NpgsqlParameter { Value = Owner });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> only while this process holds the lease of
    /// <paramref name="leaseKey"/>. A standby logs once that it stands by and tries to take the lease
    /// over every <see cref="RenewInterval"/>, calling <paramref name="standingBy"/> with that wait.
    /// When the lease is lost, or cannot be renewed before it expires, the work's token is cancelled
    /// and this process stands by again, to run the work anew when it leads again. Returns when the
    /// work returns, and throws what it throws; either way the lease is released first.
    /// </summary>
    public async Task RunWhileLeadingAsync(
        string leaseKey,
        Func<CancellationToken, Task> work,
        Action<TimeSpan>? standingBy,
        CancellationToken cancellationToken)
    {
        var loggedStandby = false;
        while (true)
        {
            var holder = await TryAcquireOrLogAsync(leaseKey, cancellationToken);
            if (holder is not null && holder.Owner == Owner)
            {
                HostingLog.LeaseAcquired(logger, leaseKey, Owner, holder.LeaseUntil);
                loggedStandby = false;
                if (await LeadAsync(leaseKey, holder.LeaseUntil, work, cancellationToken))
                {
                    return;
                }
            }
            else if (!loggedStandby)
            {
                HostingLog.StandingBy(logger, leaseKey, holder?.Owner ?? "another process", Owner, RenewInterval);
                loggedStandby = true;
            }

            standingBy?.Invoke(RenewInterval);
            await Task.Delay(RenewInterval, timeProvider, cancellationToken);
        }
    }

    /// <summary>Runs the work and renews the lease; returns true when the work returned, false when the lease was lost.</summary>
    private async Task<bool> LeadAsync(string leaseKey, DateTimeOffset leaseUntil, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var workCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workTask = Task.Run(() => work(workCancellation.Token), CancellationToken.None);
        var holding = true;
        try
        {
            while (true)
            {
                var renewal = Task.Delay(RenewInterval, timeProvider, cancellationToken);
                if (await Task.WhenAny(workTask, renewal) == workTask || cancellationToken.IsCancellationRequested)
                {
                    // On shutdown the work receives the same cancellation, and its return or exception ends the lead.
                    await workTask;
                    cancellationToken.ThrowIfCancellationRequested();
                    return true;
                }

                (holding, leaseUntil) = await RenewOrExpireAsync(leaseKey, leaseUntil, cancellationToken);
                if (!holding)
                {
                    await StopWorkAsync(workCancellation, workTask);
                    return false;
                }
            }
        }
        finally
        {
            if (holding)
            {
                await StopWorkAsync(workCancellation, workTask);
                await ReleaseOrLogAsync(leaseKey);
            }
        }
    }

    private async Task<(bool Holding, DateTimeOffset LeaseUntil)> RenewOrExpireAsync(string leaseKey, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        try
        {
            var holder = await RenewAsync(leaseKey, cancellationToken);
            if (holder is not null && holder.Owner == Owner)
            {
                return (true, holder.LeaseUntil);
            }

            HostingLog.LeaseLost(logger, leaseKey, holder?.Owner ?? "nobody", Owner);
            return (false, leaseUntil);
        }
        catch (Exception ex) when (Transient.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            // Stop one renewal early: a standby may take the row over the moment it expires.
            if (timeProvider.GetUtcNow() + RenewInterval >= leaseUntil)
            {
                HostingLog.LeaseExpired(logger, leaseKey, leaseUntil, Owner);
                return (false, leaseUntil);
            }

            HostingLog.RenewFailed(logger, leaseKey, ex.Message, leaseUntil);
            return (true, leaseUntil);
        }
    }

    private async Task<LeaseHolder?> TryAcquireOrLogAsync(string leaseKey, CancellationToken cancellationToken)
    {
        try
        {
            var holder = await TryAcquireAsync(leaseKey, cancellationToken);
            acquireErrors.Reset();
            return holder;
        }
        catch (Exception ex) when (Transient.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            if (acquireErrors.ShouldLog(ex, out var repeats))
            {
                HostingLog.AcquireFailed(logger, leaseKey, ex.Message, RenewInterval, repeats);
            }

            return null;
        }
    }

    /// <summary>Cancels the work and waits for it. The <see cref="OperationCanceledException"/> this causes is expected and dropped.</summary>
    private static async Task StopWorkAsync(CancellationTokenSource workCancellation, Task workTask)
    {
        if (workTask.IsCompleted)
        {
            return;
        }

        await workCancellation.CancelAsync();
        try
        {
            await workTask;
        }
        catch (OperationCanceledException) when (workCancellation.IsCancellationRequested)
        {
        }
    }

    private async Task ReleaseOrLogAsync(string leaseKey)
    {
        // The caller's token may be cancelled already (a shutdown), so the release has its own bound.
        using var timeout = new CancellationTokenSource(ReleaseTimeout, timeProvider);
        try
        {
            await ReleaseAsync(leaseKey, timeout.Token);
            HostingLog.LeaseReleased(logger, leaseKey);
        }
        catch (Exception ex) when (Transient.IsTransient(ex) || ex is OperationCanceledException)
        {
            HostingLog.ReleaseFailed(logger, leaseKey, ex.Message);
        }
    }

    private async Task<LeaseHolder?> ExecuteAsync(string sql, string leaseKey, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = leaseKey });
        command.Parameters.Add(new NpgsqlParameter { Value = Owner });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now + Duration });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new LeaseHolder(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
    }
}
