using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Delivery;
using Pipeline.GetTweets.Pages;
using Pipeline.GetTweets.Search;
using Polly.Timeout;

namespace Pipeline.GetTweets.Streaming;

/// <summary>
/// Reads the filtered stream (<c>GET /2/tweets/search/stream</c>) after syncing its rules. Each line
/// is one JSON message: a tweet with its <c>includes</c> and <c>matching_rules</c>, or <c>errors</c>;
/// a blank line is a keep-alive. Tweets go to <see cref="StreamBatchWriter"/>, a line that is not a
/// message is set aside, and the stream goes on. A stall, a closed connection, an error or an
/// operational disconnect ends the connection, and the next one opens after the wait that
/// <see cref="StreamReconnectBackoff"/> sets. Connections are opened one after the other, so at
/// most one is open at any time.
/// </summary>
internal sealed class FilteredStream(
    XApiClient client,
    StreamRuleSync ruleSync,
    StreamBatchWriter writer,
    UsageCap usageCap,
    CollectorMetrics metrics,
    IOptions<CollectorOptions> options,
    TimeProvider timeProvider,
    ILogger<FilteredStream> logger)
{
    /// <summary>The stream endpoint, relative to the base address.</summary>
    public const string Path = "2/tweets/search/stream";

    /// <summary>
    /// The time without any byte after which a connection counts as stalled. The API sends a
    /// keep-alive at least every 20 seconds, so 30 seconds of silence means the connection is dead.
    /// </summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    private static readonly string RequestUri = Path + "?" + RequestedFields.QueryString;

    private readonly StreamReconnectBackoff backoff = new();
    private Dictionary<string, StreamRule> rulesById = [];
    private int connections;

    /// <summary>
    /// Syncs the rules, retrying while the API is out of reach, then reads the stream until
    /// <paramref name="stoppingToken"/> is cancelled and commits the tweets still pending. A rejected
    /// bearer token, request or rule, or a commit that fails on a non-transient error, ends it with
    /// the exception.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var rules = await SyncRulesAsync(stoppingToken);
        rulesById = rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        Log.CollectorStarting(logger, CollectorOptions.FilteredStream, $"{rules.Count} rules: {string.Join("; ", rules.Select(Describe))}");

        // A few batches of lines may wait while one commits; beyond that the stream is held back.
        var channel = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(options.Value.StreamBatchSize * 4)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var writing = WriteAsync();
        try
        {
            await ReadConnectionsAsync(channel.Writer, reading.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The writer failed and stopped the reading; awaiting it below throws its exception.
        }
        finally
        {
            channel.Writer.TryComplete();
            await writing;
            Log.StreamStopped(logger, connections, writer.Tweets, writer.Enqueued, writer.RejectedLines);
        }

        async Task WriteAsync()
        {
            try
            {
                await writer.RunAsync(channel.Reader, stoppingToken);
            }
            catch
            {
                await reading.CancelAsync();
                throw;
            }
        }
    }

    // The API may be out of reach for a while at start, as it may later; only a rejection is final.
    private async Task<IReadOnlyList<StreamRule>> SyncRulesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var rules = await ruleSync.SyncAsync(cancellationToken);
                backoff.Reset();
                return rules;
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                var wait = backoff.Next(ex is XApiRequestException ? StreamFailure.Http : StreamFailure.Network);
                Log.StreamRulesSyncFailed(logger, ex.Message, wait);
                metrics.Waiting(wait);
                await Task.Delay(wait, timeProvider, cancellationToken);
            }
        }
    }

    private static bool IsTransient(Exception exception) =>
        exception is XApiRequestException { IsTransient: true }
            or HttpRequestException or IOException or TimeoutException or TimeoutRejectedException or JsonException;

    private async Task ReadConnectionsAsync(ChannelWriter<StreamItem> output, CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = await ReadConnectionAsync(output, cancellationToken);
            if (end.UsageCapDetail is { } detail)
            {
                await usageCap.WaitAsync(detail, cancellationToken);
            }

            var wait = backoff.Next(end.Failure);
            if (end.Connection is null)
            {
                Log.StreamConnectFailed(logger, end.Reason, wait);
            }
            else
            {
                Log.StreamDisconnected(logger, end.Connection, end.Reason, wait);
            }

            metrics.Waiting(wait);
            await Task.Delay(wait, timeProvider, cancellationToken);
        }
    }

    private async Task<StreamEnd> ReadConnectionAsync(ChannelWriter<StreamItem> output, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.OpenStreamAsync(RequestUri, cancellationToken);
        }
        catch (XApiRequestException ex) when (ex.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new StreamEnd(StreamFailure.RateLimited, ex.Message);
        }
        catch (XApiRequestException ex) when (ex is not XApiAuthorizationException && ex.StatusCode != HttpStatusCode.BadRequest)
        {
            return new StreamEnd(StreamFailure.Http, ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return new StreamEnd(StreamFailure.Network, ex.Message);
        }

        var connection = $"{++connections} (opened {timeProvider.GetUtcNow():O})";
        Log.StreamConnected(logger, connection);
        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamLineReader(body, StallTimeout, timeProvider);
            for (var lineNumber = 1L; ; lineNumber++)
            {
                StreamLine? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidDataException && !cancellationToken.IsCancellationRequested)
                {
                    return new StreamEnd(StreamFailure.Network, ex.Message, connection);
                }

                if (line is null)
                {
                    return new StreamEnd(StreamFailure.Network, "the X API closed the connection", connection);
                }

                if (lineNumber == 1)
                {
                    backoff.Reset();
                }

                if (await HandleLineAsync(line, new LinePosition(connection, lineNumber), output, cancellationToken) is { } end)
                {
                    return end;
                }
            }
        }
    }

    // Returns how the connection ends when the line ends it, else null.
    private async Task<StreamEnd?> HandleLineAsync(StreamLine line, LinePosition position, ChannelWriter<StreamItem> output, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(line.Text))
        {
            // A quiet stream is healthy while it keeps the connection alive: within the stall
            // timeout either data comes or the collector reconnects.
            Log.StreamKeepAlive(logger, position.Connection);
            metrics.Waiting(StallTimeout);
            return null;
        }

        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(line.Text);
            message = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            var error = line.IsComplete ? ex.Message : $"The connection ended before the end of this line: {ex.Message}";
            await RejectAsync(line, error, position, output, cancellationToken);
            return null;
        }

        ApiPage page;
        try
        {
            page = ApiPage.Parse(message, new CollectionSource(CollectorOptions.FilteredStream, RuleNames(message)), timeProvider.GetUtcNow());
        }
        catch (FormatException ex)
        {
            await RejectAsync(line, ex.Message, position, output, cancellationToken);
            return null;
        }

        if (page.Tweets.Count > 0)
        {
            await output.WriteAsync(new StreamItem(page.Tweets, page.NewestId, Rejected: null, page.Deletions), cancellationToken);
        }

        if (OperationalDisconnect.Find(message) is { } disconnect)
        {
            Log.StreamOperationalDisconnect(logger, position.Connection, disconnect.DisconnectType, disconnect.Detail);
            return new StreamEnd(StreamFailure.Network, $"operational disconnect {disconnect.DisconnectType}", position.Connection);
        }

        if (UsageCap.IsExceeded(message))
        {
            return new StreamEnd(StreamFailure.Network, "monthly post cap used up", position.Connection, UsageCapDetail: ErrorText(message));
        }

        LogErrors(message, page, position);
        return null;
    }

    private async Task RejectAsync(StreamLine line, string error, LinePosition position, ChannelWriter<StreamItem> output, CancellationToken cancellationToken)
    {
        Log.StreamLineRejected(logger, position.Connection, position.LineNumber, error);
        var rejected = new RejectedLine($"{CollectorOptions.FilteredStream} connection {position.Connection}", position.LineNumber, error, line.Text);
        await output.WriteAsync(new StreamItem([], NewestId: null, rejected), cancellationToken);
    }

    // A tweet's partial errors are logged like a search page's; a message of errors alone is about the stream itself.
    private void LogErrors(JsonElement message, ApiPage page, LinePosition position)
    {
        if (page.Tweets.Count > 0)
        {
            PartialErrors.Log(logger, $"line {position.LineNumber} of filtered stream connection {position.Connection}", page.Errors);
            return;
        }

        if (!message.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var error in errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Take(PartialErrors.MaxLoggedPerPage))
        {
            Log.StreamErrorMessage(logger, position.Connection, ApiJson.GetString(error, "title"), ApiJson.GetString(error, "detail"), ApiJson.GetString(error, "type"));
        }
    }

    // The source name of a tweet: the tags of the rules it matched, or their values when untagged.
    private string RuleNames(JsonElement message)
    {
        var matched = message.TryGetProperty("matching_rules", out var rules) ? MatchingRules.Read(rules) : [];
        if (matched.Count == 0)
        {
            return CollectorOptions.FilteredStream;
        }

        return string.Join(", ", matched.Select(r => r.Tag ?? (rulesById.TryGetValue(r.Id, out var rule) ? rule.Value : r.Id)));
    }

    private static string ErrorText(JsonElement message)
    {
        var error = message.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
            ? errors.EnumerateArray().FirstOrDefault(e => e.ValueKind == JsonValueKind.Object && UsageCap.IsExceeded(e))
            : message;
        if (error.ValueKind != JsonValueKind.Object)
        {
            return "UsageCapExceeded";
        }

        return string.Join(": ", new[] { ApiJson.GetString(error, "title"), ApiJson.GetString(error, "detail") }.Where(s => !string.IsNullOrEmpty(s)));
    }

    private static string Describe(StreamRule rule) => rule.Tag is null ? rule.Value : $"{rule.Value} [{rule.Tag}]";

    private sealed record LinePosition(string Connection, long LineNumber);

    /// <summary>How a connection ended, or why it could not be opened (then <see cref="Connection"/> is null).</summary>
    private sealed record StreamEnd(StreamFailure Failure, string Reason, string? Connection = null, string? UsageCapDetail = null);
}
