using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipeline.Slackbot.Tests;

/// <summary>One captured log entry: its level, event id, formatted message and exception text.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, string? Exception)
{
    /// <summary>Everything the entry would print, for searching.</summary>
    public string FullText => $"{Category} {EventId} {Message} {Exception}";
}

/// <summary>A logger provider that keeps every entry, at every level, for the test to inspect.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    /// <summary>
    /// Returns the bot's entries with event id <paramref name="eventId"/>. Entries of other
    /// categories are left out, because libraries such as Npgsql use event ids in the same range.
    /// </summary>
    public List<LogEntry> WithEventId(int eventId) =>
        [.. entries.Where(e => e.EventId.Id == eventId && e.Category.StartsWith("Pipeline.Slackbot.", StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The state's properties go in too: a secret could sit in a value the template leaves out.
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception) + " " + properties, exception?.ToString()));
        }
    }
}
