using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Testing;
using Xunit;

namespace Pipeline.Faults.Tests;

/// <summary>What one fault did and how long the pipeline took to progress again after it.</summary>
/// <param name="Fault">The fault.</param>
/// <param name="StartedAt">When the fault began, counted from the start of the load.</param>
/// <param name="Duration">How long the fault itself lasted: the restart command or the network cut.</param>
/// <param name="Recovery">From the end of the fault until the pipeline was progressing again.</param>
/// <param name="CameBack">How the faulted service came back.</param>
/// <param name="PolicyRestarts">Services that Docker restarted under <c>restart: on-failure</c> meanwhile, because they exited with an error.</param>
internal sealed record FaultRecord(Fault Fault, TimeSpan StartedAt, TimeSpan Duration, TimeSpan Recovery, string CameBack, string PolicyRestarts);

/// <summary>
/// Injects faults into a running compose stack and measures recovery. The pipeline counts as
/// progressing again when the faulted service is running and healthy and what it feeds moves
/// on: the collector commits a page past the last one before the fault (or has finished), and a
/// writer acks a batch (or has no lag left once the collector has finished).
/// </summary>
internal sealed class FaultInjector(ComposeStack stack, IReadOnlyList<string> writers, Stopwatch loadClock)
{
    // Compose keeps each service's container through kill, start and restart, so its id is looked up once.
    private readonly Dictionary<string, string> containerIds = [];

    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Injects <paramref name="fault"/>, waits until the pipeline progresses again and returns the record.</summary>
    public async Task<FaultRecord> InjectAsync(Fault fault, CancellationToken cancellationToken)
    {
        var restartsBefore = RestartCounts();
        var startedAt = loadClock.Elapsed;
        var cameBack = "-";
        PipelineProgress reference;
        switch (fault.Kind)
        {
            case FaultKind.Kill:
                var killed = Inspect(fault.Service);
                Assert.True(killed.Status == "running", $"{fault.Service} is {killed.Status} (exit code {killed.ExitCode}) when its SIGKILL is due; for the collector, lower COLLECTOR_SYNTHETIC_RATE so it is still collecting.\n{stack.Logs()}");
                Docker($"kill -s KILL {ContainerId(fault.Service)}");
                reference = await ReadProgressAsync(cancellationToken);
                cameBack = await BringBackAsync(fault.Service, killed.RestartCount, cancellationToken);
                break;
            case FaultKind.RestartPostgres:
                reference = await ReadProgressAsync(cancellationToken);
                stack.ComposeOrFail("restart postgres");
                cameBack = "compose restart";
                break;
            default:
                var container = ContainerId(fault.Service);
                Docker($"network disconnect {stack.Network} {container}");
                reference = await ReadProgressAsync(cancellationToken);
                await Task.Delay(FaultSchedule.DisconnectDuration, cancellationToken);
                Docker($"network connect --alias {fault.Service} {stack.Network} {container}");
                cameBack = "network connect";
                break;
        }

        var endedAt = loadClock.Elapsed;
        await WaitForRecoveryAsync(fault, reference, cancellationToken);
        var recoveredAt = loadClock.Elapsed;
        return new FaultRecord(fault, startedAt, endedAt - startedAt, recoveredAt - endedAt, cameBack, DescribeRestarts(restartsBefore, RestartCounts()));
    }

    /// <summary>Reads the pipeline's progress, waiting while PostgreSQL is unreachable.</summary>
    public async Task<PipelineProgress> ReadProgressAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await PipelineProgress.TryReadAsync(stack.PostgresConnectionString, cancellationToken) is { } progress)
            {
                return progress;
            }

            Assert.True(deadline.Elapsed < RecoveryTimeout, $"PostgreSQL did not answer within {RecoveryTimeout}.\n{stack.Logs()}");
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Returns true when the collector exited with code 0, because it committed its last page.</summary>
    public bool CollectorFinished()
    {
        var collector = Inspect("get_tweets");
        return collector is { Status: "exited", ExitCode: 0 };
    }

    // Docker 26.1 counts `docker kill` as a manual stop, so the restart policy does not start the
    // container again. An operator then runs `docker compose start`, and so does the harness.
    private async Task<string> BringBackAsync(string service, int restartCount, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var state = Inspect(service);
        if (state.Status is "running" or "restarting" || state.RestartCount > restartCount)
        {
            return "restart policy";
        }

        stack.ComposeOrFail($"start {service}");
        return "compose start";
    }

    private async Task WaitForRecoveryAsync(Fault fault, PipelineProgress reference, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        PipelineProgress? last = null;
        while (deadline.Elapsed < RecoveryTimeout)
        {
            last = await PipelineProgress.TryReadAsync(stack.PostgresConnectionString, cancellationToken);
            if (last is not null && IsRecovered(fault, reference, last))
            {
                return;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        Assert.Fail($"The pipeline did not progress again within {RecoveryTimeout} after '{fault.Description}'. Before: {reference}; last reading: {last?.ToString() ?? "PostgreSQL unreachable"}.\n{stack.Logs()}");
    }

    private bool IsRecovered(Fault fault, PipelineProgress reference, PipelineProgress now)
    {
        var collectorFinished = CollectorFinished();
        switch (fault.Kind)
        {
            case FaultKind.Kill when fault.Service == "get_tweets":
                return collectorFinished || (now.CommittedPage > reference.CommittedPage && IsHealthy("get_tweets"));
            case FaultKind.Kill or FaultKind.Disconnect:
                return IsHealthy(fault.Service) && WriterProgressed(fault.Service, reference, now, collectorFinished);
            default:
                return IsHealthy("postgres")
                    && (collectorFinished || now.CommittedPage > reference.CommittedPage)
                    && writers.All(writer => WriterProgressed(writer, reference, now, collectorFinished));
        }
    }

    private static bool WriterProgressed(string writer, PipelineProgress reference, PipelineProgress now, bool collectorFinished)
    {
        var progress = now.Of(writer);
        return progress.AckedSince(reference.Of(writer)) || (collectorFinished && progress.Lag == 0);
    }

    private bool IsHealthy(string service) => Inspect(service) is { Status: "running", Health: "healthy" };

    private Dictionary<string, int> RestartCounts() =>
        stack.Services.ToDictionary(service => service, service => Inspect(service).RestartCount);

    private ServiceState Inspect(string service) => ComposeStack.InspectContainer(ContainerId(service));

    private string ContainerId(string service)
    {
        if (!containerIds.TryGetValue(service, out var id))
        {
            id = stack.ContainerId(service);
            containerIds[service] = id;
        }

        return id;
    }

    private static string DescribeRestarts(Dictionary<string, int> before, Dictionary<string, int> after)
    {
        var restarts = new StringBuilder();
        foreach (var (service, count) in after.Where(entry => entry.Value > before[entry.Key]))
        {
            restarts.Append(restarts.Length == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{service} {count - before[service]}");
        }

        return restarts.Length == 0 ? "none" : restarts.ToString();
    }

    private static void Docker(string arguments)
    {
        var (exitCode, output) = DockerEngine.Run("docker", arguments);
        Assert.True(exitCode == 0, $"docker {arguments} failed ({exitCode}): {output}");
    }
}
