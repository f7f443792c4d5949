namespace Pipeline.Slackbot.Webhook;

/// <summary>
/// Lets one request to the webhook run at a time, for every caller of the process together (the
/// queue handler and the digest), and starts each at least <see cref="MinInterval"/> after the
/// previous one ended, on the injected clock. Counting from the end rather than the start keeps
/// arrivals at Slack a full interval apart even when a request is slow. A 429 response pushes
/// the next start back by its <c>Retry-After</c>.
/// </summary>
internal sealed class PostRateLimiter(TimeProvider timeProvider) : IDisposable
{
    /// <summary>
    /// The shortest time between two requests. Slack allows about one message per second per
    /// incoming webhook and tolerates short bursts only (Slack API documentation, "Rate limits").
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim turn = new(1, 1);
    private readonly Lock sync = new();
    private DateTimeOffset nextRequestAt = DateTimeOffset.MinValue;

    /// <summary>Waits for this caller's turn, runs <paramref name="send"/> and returns its result.</summary>
    public async Task<T> SendInTurnAsync<T>(Func<Task<T>> send, CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken);
        try
        {
            await WaitUntilNextRequestAsync(cancellationToken);
            try
            {
                return await send();
            }
            finally
            {
                Pause(MinInterval);
            }
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>Lets no request start before <paramref name="delay"/> from now has passed.</summary>
    public void Pause(TimeSpan delay)
    {
        lock (sync)
        {
            var resumeAt = timeProvider.GetUtcNow() + delay;
            if (resumeAt > nextRequestAt)
            {
                nextRequestAt = resumeAt;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => turn.Dispose();

    private async Task WaitUntilNextRequestAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (sync)
            {
                wait = nextRequestAt - timeProvider.GetUtcNow();
            }

            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            // Looks again after the wait, because a 429 may have pushed the time back meanwhile.
            await Task.Delay(wait, timeProvider, cancellationToken);
        }
    }
}
