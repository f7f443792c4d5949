using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;

namespace Pipeline.MongoWriter;

/// <summary>
/// The writer's own commands. Without a command the binary runs as the queue subscriber, and
/// <c>rescore</c> recomputes outdated sentiment scores of the tweet documents, then exits.
/// Configuration switches such as <c>--Rescore:BatchSize=5000</c> may follow the command. The
/// operator commands that every service has are in <see cref="ServiceCommands"/>, which
/// <c>Program.cs</c> checks first.
/// </summary>
internal static class MongoWriterCommands
{
    /// <summary>The command that recomputes sentiment scores that are missing or from another lexicon.</summary>
    public const string Rescore = "rescore";

    /// <summary>The exit code of an unknown command.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Returns true when the first argument names a command rather than a configuration switch.</summary>
    public static bool IsCommand(string[] args) =>
        args is [var first, ..] && !first.StartsWith('-') && !first.StartsWith('/');

    /// <summary>Runs the command that the first argument names and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] != Rescore)
        {
            await Console.Error.WriteLineAsync(
                $"Unknown command '{args[0]}'. The commands are {Rescore}, {ServiceCommands.Health}, {ServiceCommands.Status} and {ServiceCommands.DeadLetters}; without a command the writer runs as the queue subscriber.");
            return UsageExitCode;
        }

        var builder = Host.CreateApplicationBuilder(args[1..]);
        builder.AddPipelineDefaults();
        builder.AddMongo();
        builder.AddSentimentRescore();
        return await builder.Build().RunRescoreAsync();
    }
}
