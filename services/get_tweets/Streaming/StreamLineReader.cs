using System.Buffers;
using System.Text;

namespace Pipeline.GetTweets.Streaming;

/// <summary>One line of a stream, without its line break.</summary>
/// <param name="Text">The line decoded as UTF-8.</param>
/// <param name="IsComplete">False for the last line when the connection ended before its line break.</param>
internal sealed record StreamLine(string Text, bool IsComplete);

/// <summary>No byte arrived within the stall timeout, so the connection is presumed dead.</summary>
internal sealed class StreamStalledException(TimeSpan timeout)
    : IOException($"No data, not even a keep-alive, arrived for {timeout}.");

/// <summary>
/// Splits a response stream into lines, and treats a connection that sends no byte within the
/// stall timeout as dead. The timeout is measured on the injected clock from the last byte read,
/// so keep-alives keep a quiet connection open.
/// </summary>
internal sealed class StreamLineReader : IDisposable
{
    /// <summary>The longest line accepted; a longer one means the stream is not line-delimited JSON.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private readonly Stream stream;
    private readonly TimeSpan stallTimeout;
    private readonly CancellationTokenSource stall;
    private readonly byte[] buffer = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> line = new();
    private int start;
    private int end;

    public StreamLineReader(Stream stream, TimeSpan stallTimeout, TimeProvider timeProvider)
    {
        this.stream = stream;
        this.stallTimeout = stallTimeout;
        stall = new CancellationTokenSource(stallTimeout, timeProvider);
    }

    /// <summary>
    /// Reads the next line; returns null when the connection ended after a line break. Throws
    /// <see cref="StreamStalledException"/> after the stall timeout, <see cref="InvalidDataException"/>
    /// for a line over <see cref="MaxLineBytes"/>, and <see cref="IOException"/> or
    /// <see cref="HttpRequestException"/> when the connection fails.
    /// </summary>
    public async Task<StreamLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var pending = buffer.AsSpan(start, end - start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line.Write(pending[..newline]);
                start += newline + 1;
                return TakeLine(isComplete: true);
            }

            line.Write(pending);
            start = end = 0;
            if (line.WrittenCount > MaxLineBytes)
            {
                throw new InvalidDataException($"A stream line exceeded {MaxLineBytes} bytes without a line break.");
            }

            end = await ReadAsync(cancellationToken);
            if (end == 0)
            {
                return line.WrittenCount > 0 ? TakeLine(isComplete: false) : null;
            }
        }
    }

    public void Dispose() => stall.Dispose();

    private async Task<int> ReadAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, linked.Token);
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StreamStalledException(stallTimeout);
        }

        // Any byte, a keep-alive too, shows the connection alive: the stall timeout starts over.
        stall.CancelAfter(stallTimeout);
        return read;
    }

    private StreamLine TakeLine(bool isComplete)
    {
        var bytes = line.WrittenSpan;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        var text = Encoding.UTF8.GetString(bytes);
        line.ResetWrittenCount();
        return new StreamLine(text, isComplete);
    }
}
