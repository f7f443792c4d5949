using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly.Registry;

namespace Pipeline.Core.Hosting;

/// <summary>
/// The operator commands every service binary runs instead of the service when the first argument
/// names one: <c>health</c> (the container health check), <c>status</c> and <c>dead-letters</c>.
/// They read configuration from the environment like the service. Their output goes to standard
/// output and log entries to standard error, so <c>--json</c> output stays valid JSON.
/// </summary>
public static class ServiceCommands
{
    /// <summary>Asks the running service's <c>/healthz</c> and exits 0 when it is healthy.</summary>
    public const string Health = "health";

    /// <summary>Prints the queue subscriptions and the collector checkpoints.</summary>
    public const string Status = "status";

    /// <summary>Lists or requeues dead letters.</summary>
    public const string DeadLetters = "dead-letters";

    /// <summary>The exit code of a command that failed or found the service unhealthy.</summary>
    public const int FailureExitCode = 1;

    /// <summary>The exit code of invalid arguments.</summary>
    public const int UsageExitCode = 2;

    /// <summary>The number of dead letters listed when <c>--limit</c> is not given.</summary>
    public const int DefaultDeadLetterLimit = 50;

    private static readonly TimeSpan HealthRequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The help text printed on invalid arguments.</summary>
    public const string Usage = """
        Commands:
          health                 Requests http://127.0.0.1:<Hosting:HttpPort>/healthz of the service
                                 running in this container; exit code 0 when healthy, else 1.
          status [--json]        Prints each queue subscription (lag in messages and seconds,
                                 claims in flight, retries, dead letters, last activity) and each
                                 collector checkpoint (source, query or file, newest id, updated at).
          dead-letters [--subscription NAME] [--limit N] [--json]
                                 Lists dead letters, newest first; N defaults to 50.
          dead-letters --subscription NAME --requeue [ID ...]
                                 Requeues the given dead letters of NAME, or all of them without
                                 ids; the subscriber processes them again at once.
        """;

    /// <summary>Returns true when the first argument names one of these commands.</summary>
    public static bool IsCommand(IReadOnlyList<string> args) => args.Count > 0 && args[0] is Health or Status or DeadLetters;

    /// <summary>
    /// Returns true when the first argument is a word that names none of these commands, such as
    /// a mistyped <c>stats</c>. Configuration switches (<c>--Section:Key=value</c>) start with
    /// <c>-</c> or <c>/</c> and are not commands.
    /// </summary>
    public static bool IsUnknownCommand(IReadOnlyList<string> args) =>
        args.Count > 0 && !IsCommand(args) && !args[0].StartsWith('-') && !args[0].StartsWith('/');

    /// <summary>Prints that the first argument is no command of the service, with the usage, and returns <see cref="UsageExitCode"/>.</summary>
    public static async Task<int> RejectUnknownCommandAsync(IReadOnlyList<string> args, string serviceName)
    {
        await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Without a command {serviceName} runs as the service.\n\n{Usage}");
        return UsageExitCode;
    }

    /// <summary>Runs the command that the first argument names, with settings from the environment, and returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        // The arguments belong to the command, not to the configuration.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        return RunAsync(args, builder, Console.Out, Console.Error, CancellationToken.None);
    }

    /// <summary>
    /// Runs a command on the settings of <paramref name="builder"/>, writing to the given writers;
    /// <paramref name="replaceServices"/> runs after the defaults are added, so tests can swap the clock.
    /// </summary>
    internal static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        HostApplicationBuilder builder,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        Action<IServiceCollection>? replaceServices = null)
    {
        if (!CommandLine.TryParse(args, out var command, out var problem))
        {
            await error.WriteLineAsync($"{problem}\n\n{Usage}");
            return UsageExitCode;
        }

        builder.AddPipelineDefaults();
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

        // A command reports through its output; only warnings and errors are worth a log line.
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        replaceServices?.Invoke(builder.Services);
        using var host = builder.Build();
        try
        {
            return command.Name switch
            {
                Health => await CheckHealthAsync(host.Services, output, error, cancellationToken),
                Status => await PrintStatusAsync(host.Services, command, output, cancellationToken),
                _ => await RunDeadLettersAsync(host.Services, command, output, error, cancellationToken),
            };
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return FailureExitCode;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await error.WriteLineAsync($"The queue tables are missing from this database ({ex.MessageText}): start a service once so that it applies its migrations.");
            return FailureExitCode;
        }
        catch (Exception ex) when (ex is NpgsqlException || Transient.IsTransient(ex))
        {
            await error.WriteLineAsync($"PostgreSQL could not be queried: {ex.Message}");
            return FailureExitCode;
        }
    }

    private static async Task<int> CheckHealthAsync(IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var port = services.GetRequiredService<IOptions<HostingOptions>>().Value.HttpPort;
        if (port == 0)
        {
            await error.WriteLineAsync("Hosting:HttpPort is 0, so the service listens on a port chosen at start that this command cannot know: set Hosting__HttpPort to a fixed port.");
            return FailureExitCode;
        }

        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz");
        using var client = new HttpClient { Timeout = HealthRequestTimeout };
        try
        {
            using var response = await client.GetAsync(address, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await output.WriteLineAsync(body);
            return response.IsSuccessStatusCode ? 0 : FailureExitCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"No answer from {address}: {ex.Message}");
            return FailureExitCode;
        }
    }

    private static async Task<int> PrintStatusAsync(IServiceProvider services, CommandLine command, TextWriter output, CancellationToken cancellationToken)
    {
        var queries = services.GetRequiredService<StatusQueries>();
        var status = await Database(services).ExecuteAsync(async token => await queries.ReadAsync(token), cancellationToken);
        if (command.Json)
        {
            StatusReport.WriteJson(output, status);
        }
        else
        {
            StatusReport.WriteTable(output, status);
        }

        return 0;
    }

    private static async Task<int> RunDeadLettersAsync(IServiceProvider services, CommandLine command, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var queries = services.GetRequiredService<StatusQueries>();
        if (!command.Requeue)
        {
            var (deadLetters, total) = await Database(services).ExecuteAsync(
                async token => await queries.ReadDeadLettersAsync(command.Subscription, command.Limit, token),
                cancellationToken);
            if (command.Json)
            {
                StatusReport.WriteDeadLettersJson(output, deadLetters, total);
            }
            else
            {
                StatusReport.WriteDeadLettersTable(output, deadLetters, total);
            }

            return 0;
        }

        // Not retried: requeuing runs once, and a failure leaves the dead letters where they were.
        var subscription = command.Subscription!;
        var result = await queries.RequeueDeadLettersAsync(subscription, command.MessageIds, cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Requeued {result.Requeued} dead letters of {subscription}; the subscriber processes them again at once."));
        if (result.NotRetained.Count > 0)
        {
            await error.WriteLineAsync(
                $"Not requeued, because retention already dropped their messages (the payload copy stays in queue.dead_letters): {string.Join(' ', result.NotRetained)}");
        }

        if (result.NotFound.Count > 0)
        {
            await error.WriteLineAsync($"Not dead letters of {subscription}: {string.Join(' ', result.NotFound)}");
        }

        return result.NotRetained.Count + result.NotFound.Count == 0 ? 0 : FailureExitCode;
    }

    private static Polly.ResiliencePipeline Database(IServiceProvider services) =>
        services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(ResiliencePipelines.Postgres);

    /// <summary>A parsed command line.</summary>
    internal sealed record CommandLine(string Name, bool Json, string? Subscription, int Limit, bool Requeue, IReadOnlyList<long>? MessageIds)
    {
        /// <summary>Parses the arguments; returns false with a message naming the invalid argument.</summary>
        public static bool TryParse(IReadOnlyList<string> args, out CommandLine command, out string problem)
        {
            command = new CommandLine(args.Count > 0 ? args[0] : "", false, null, DefaultDeadLetterLimit, false, null);
            problem = "";
            if (!IsCommand(args))
            {
                problem = $"Unknown command '{command.Name}'.";
                return false;
            }

            for (var i = 1; i < args.Count; i++)
            {
                var argument = args[i];
                switch (argument)
                {
                    case "--json" when command.Name is Status or DeadLetters:
                        command = command with { Json = true };
                        break;
                    case "--subscription" when command.Name == DeadLetters && i + 1 < args.Count:
                        command = command with { Subscription = args[++i] };
                        break;
                    case "--limit" when command.Name == DeadLetters && i + 1 < args.Count:
                        if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
                        {
                            problem = $"--limit is '{args[i]}': it must be a whole number of at least 1.";
                            return false;
                        }

                        command = command with { Limit = limit };
                        break;
                    case "--requeue" when command.Name == DeadLetters:
                        var ids = new List<long>();
                        while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        {
                            if (!long.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                            {
                                problem = $"--requeue was given '{args[i]}', which is not a message id: ids are whole numbers as listed by dead-letters.";
                                return false;
                            }

                            ids.Add(id);
                        }

                        command = command with { Requeue = true, MessageIds = ids.Count > 0 ? ids : null };
                        break;
                    default:
                        problem = $"Invalid argument '{argument}' for {command.Name}.";
                        return false;
                }
            }

            if (command.Requeue && string.IsNullOrEmpty(command.Subscription))
            {
                problem = "--requeue needs --subscription NAME, because each subscription has dead letters of its own.";
                return false;
            }

            return true;
        }
    }
}
