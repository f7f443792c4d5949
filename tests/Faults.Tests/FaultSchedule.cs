using Pipeline.GetTweets.Synthetic;

namespace Pipeline.Faults.Tests;

/// <summary>A kind of fault the harness injects into the compose stack.</summary>
internal enum FaultKind
{
    /// <summary><c>docker kill -s KILL</c> of a service's container.</summary>
    Kill,

    /// <summary><c>docker compose restart postgres</c>.</summary>
    RestartPostgres,

    /// <summary><c>docker network disconnect</c> of a service from the compose network, and <c>connect</c> after <see cref="FaultSchedule.DisconnectDuration"/>.</summary>
    Disconnect,
}

/// <summary>One fault of the schedule: what, on which service, and how long after the previous fault's recovery.</summary>
internal sealed record Fault(FaultKind Kind, string Service, TimeSpan Delay)
{
    public string Description => Kind switch
    {
        FaultKind.Kill => $"SIGKILL {Service}",
        FaultKind.RestartPostgres => "restart postgres",
        _ => $"disconnect {Service} {FaultSchedule.DisconnectDuration.TotalSeconds:F0} s",
    };
}

/// <summary>
/// The seeded order and timing of the faults: a SIGKILL of the collector and of each writer, one
/// PostgreSQL restart and one network cut of a writer, in random order with random pauses.
/// </summary>
internal static class FaultSchedule
{
    public static readonly TimeSpan DisconnectDuration = TimeSpan.FromSeconds(30);

    /// <summary>Returns the faults for <paramref name="writers"/>. The same seed gives the same schedule.</summary>
    public static IReadOnlyList<Fault> Create(long seed, IReadOnlyList<string> writers)
    {
        var random = new SyntheticRandom(seed, 0x4641554C54);
        var faults = new List<(FaultKind Kind, string Service)> { (FaultKind.Kill, "get_tweets"), (FaultKind.RestartPostgres, "postgres") };
        faults.AddRange(writers.Select(writer => (FaultKind.Kill, writer)));
        faults.Add((FaultKind.Disconnect, random.Pick(writers)));

        // Fisher-Yates shuffle with the seeded generator.
        for (var i = faults.Count - 1; i > 0; i--)
        {
            var j = random.Next(0, i + 1);
            (faults[i], faults[j]) = (faults[j], faults[i]);
        }

        return [.. faults.Select(f => new Fault(f.Kind, f.Service, TimeSpan.FromMilliseconds(random.Next(2_000, 12_000))))];
    }
}
