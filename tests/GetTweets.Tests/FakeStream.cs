using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Pipeline.GetTweets.Tests;

/// <summary>
/// One connection of the fake filtered stream. The test sends JSON lines, keep-alives (a bare CRLF)
/// or any fragment on it, and each is flushed to the client at once. Text sent before the client
/// connects is delivered right after the headers.
/// </summary>
internal sealed class FakeStream
{
    private readonly Channel<string?> chunks = Channel.CreateUnbounded<string?>();
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the connection has ended, closed by either side.</summary>
    public bool HasEnded => ended.Task.IsCompleted;

    /// <summary>Sends <paramref name="text"/> as it is.</summary>
    public void Send(string text) => chunks.Writer.TryWrite(text);

    /// <summary>Sends one message: <paramref name="json"/> and CRLF, as the X API ends each line.</summary>
    public void SendLine(string json) => Send(json + "\r\n");

    /// <summary>Sends a keep-alive: a blank line.</summary>
    public void SendKeepAlive() => Send("\r\n");

    /// <summary>Ends the response, as the server closing the connection.</summary>
    public void Close() => chunks.Writer.TryWrite(null);

    /// <summary>Waits, in real time, until the client has connected; fails after 30 seconds.</summary>
    public async Task WaitUntilConnectedAsync() =>
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(30), Xunit.TestContext.Current.CancellationToken);

    /// <summary>Waits, in real time, until the connection has ended; fails after 30 seconds.</summary>
    public async Task WaitUntilEndedAsync() =>
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(30), Xunit.TestContext.Current.CancellationToken);

    /// <summary>Serves the connection until the test closes it or the client goes away.</summary>
    public async Task ServeAsync(HttpResponse response, CancellationToken aborted)
    {
        try
        {
            response.StatusCode = 200;
            response.ContentType = "application/json; charset=utf-8";
            await response.StartAsync(aborted);
            await response.Body.FlushAsync(aborted);
            connected.TrySetResult();
            await foreach (var chunk in chunks.Reader.ReadAllAsync(aborted))
            {
                if (chunk is null)
                {
                    return;
                }

                await response.WriteAsync(chunk, aborted);
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client dropped the connection.
        }
        finally
        {
            connected.TrySetResult();
            ended.TrySetResult();
        }
    }
}
