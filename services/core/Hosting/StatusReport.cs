using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Core.Hosting;

/// <summary>Renders <see cref="PipelineStatus"/> and dead letters as aligned text tables or as JSON with snake_case names.</summary>
internal static class StatusReport
{
    private const string Missing = "-";

    /// <summary>Indented JSON that leaves '+', '&lt;' and non-ASCII text unescaped: it goes to terminals and tools, never into HTML.</summary>
    public static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the subscriptions and the collector checkpoints as two tables.</summary>
    public static void WriteTable(TextWriter output, PipelineStatus status)
    {
        output.WriteLine($"Queue subscriptions at {Time(status.ReadAt)}");
        if (status.Subscriptions.Count == 0)
        {
            output.WriteLine("No subscriptions: no queue subscriber has started against this database yet.");
        }
        else
        {
            WriteColumns(
                output,
                ["SUBSCRIPTION", "LAG (MESSAGES)", "LAG", "CLAIMS IN FLIGHT", "RETRYING", "DEAD LETTERS", "LAST ACTIVITY"],
                status.Subscriptions.Select(s => new[]
                {
                    s.Subscription,
                    Number(s.LagMessages),
                    Duration(s.Lag),
                    Number(s.ClaimsInFlight),
                    Number(s.Retrying),
                    Number(s.DeadLetters),
                    s.LastActivityAt is { } at ? $"{Time(at)} ({Duration(status.ReadAt - at)} ago)" : "never",
                }));
        }

        output.WriteLine();
        output.WriteLine("Collector checkpoints");
        if (status.Checkpoints is null or { Count: 0 })
        {
            output.WriteLine("No checkpoints: the collector has not committed a page to this database yet.");
            return;
        }

        WriteColumns(
            output,
            ["SOURCE", "QUERY OR FILE", "NEWEST ID", "LINE", "UPDATED AT"],
            status.Checkpoints.Select(c => new[]
            {
                c.Source,
                c.Target,
                c.NewestId is { } id ? Number(id) : Missing,
                c.LineNumber is { } line ? Number(line) : Missing,
                Time(c.UpdatedAt),
            }));
    }

    /// <summary>Writes the status as one JSON object. Tweet ids are strings, as in the X API, because JSON readers may round 64-bit numbers.</summary>
    public static void WriteJson(TextWriter output, PipelineStatus status) => WriteJsonObject(output, writer =>
    {
        writer.WriteString("read_at", status.ReadAt);
        writer.WriteStartArray("subscriptions");
        foreach (var s in status.Subscriptions)
        {
            writer.WriteStartObject();
            writer.WriteString("subscription", s.Subscription);
            writer.WriteNumber("lag_messages", s.LagMessages);
            writer.WriteNumber("lag_seconds", Math.Round(s.Lag.TotalSeconds, 3));
            writer.WriteNumber("claims_in_flight", s.ClaimsInFlight);
            writer.WriteNumber("retrying", s.Retrying);
            writer.WriteNumber("dead_letters", s.DeadLetters);
            WriteTime(writer, "last_claim_at", s.LastClaimAt);
            WriteTime(writer, "last_ack_at", s.LastAckAt);
            WriteTime(writer, "last_activity_at", s.LastActivityAt);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (status.Checkpoints is null)
        {
            writer.WriteNull("checkpoints");
            return;
        }

        writer.WriteStartArray("checkpoints");
        foreach (var c in status.Checkpoints)
        {
            writer.WriteStartObject();
            writer.WriteString("source_key", c.SourceKey);
            writer.WriteString("source", c.Source);
            writer.WriteString("target", c.Target);
            writer.WriteString("newest_id", c.NewestId?.ToString(CultureInfo.InvariantCulture));
            if (c.LineNumber is { } line)
            {
                writer.WriteNumber("line_number", line);
            }
            else
            {
                writer.WriteNull("line_number");
            }

            writer.WriteString("updated_at", c.UpdatedAt);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    /// <summary>Writes dead letters as a table, with the first line of each error cut to fit.</summary>
    public static void WriteDeadLettersTable(TextWriter output, IReadOnlyList<DeadLetter> deadLetters, long total)
    {
        if (deadLetters.Count == 0)
        {
            output.WriteLine("No dead letters.");
            return;
        }

        WriteColumns(
            output,
            ["SUBSCRIPTION", "MESSAGE ID", "KEY", "ATTEMPTS", "DEAD AT", "REQUEUABLE", "ERROR"],
            deadLetters.Select(d => new[]
            {
                d.Subscription,
                Number(d.MessageId),
                d.MessageKey ?? Missing,
                Number(d.Attempts),
                Time(d.DeadAt),
                d.MessageRetained ? "yes" : "no (message dropped)",
                Shorten(d.Error, 80),
            }));
        if (total > deadLetters.Count)
        {
            output.WriteLine($"{total - deadLetters.Count} older dead letters are not shown; raise --limit to see them.");
        }
    }

    /// <summary>Writes dead letters as one JSON object with the total count.</summary>
    public static void WriteDeadLettersJson(TextWriter output, IReadOnlyList<DeadLetter> deadLetters, long total) => WriteJsonObject(output, writer =>
    {
        writer.WriteNumber("total", total);
        writer.WriteStartArray("dead_letters");
        foreach (var d in deadLetters)
        {
            writer.WriteStartObject();
            writer.WriteString("subscription", d.Subscription);
            writer.WriteNumber("message_id", d.MessageId);
            writer.WriteString("message_key", d.MessageKey);
            writer.WriteNumber("attempts", d.Attempts);
            writer.WriteString("enqueued_at", d.EnqueuedAt);
            writer.WriteString("first_failed_at", d.FirstFailedAt);
            writer.WriteString("dead_at", d.DeadAt);
            writer.WriteString("error", d.Error);
            writer.WriteBoolean("message_retained", d.MessageRetained);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    /// <summary>Formats a duration for people: seconds below 2 minutes, then minutes, then hours and minutes.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalSeconds switch
        {
            < 120 => string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds} s"),
            < 7200 => string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMinutes} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalHours} h {duration.Minutes} min"),
        };
    }

    private static void WriteColumns(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = Enumerable.Range(0, headers.Length).Select(i => all.Max(row => row[i].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            output.WriteLine(line.ToString());
        }
    }

    private static void WriteJsonObject(TextWriter output, Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text, int maxLength)
    {
        var firstLine = text.AsSpan();
        var end = firstLine.IndexOfAny('\r', '\n');
        if (end >= 0)
        {
            firstLine = firstLine[..end];
        }

        return firstLine.Length <= maxLength ? firstLine.ToString() : string.Concat(firstLine[..(maxLength - 3)], "...");
    }
}
