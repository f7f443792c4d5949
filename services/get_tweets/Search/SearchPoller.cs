using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Delivery;
using Pipeline.GetTweets.Pages;
using Polly.Timeout;

namespace Pipeline.GetTweets.Search;

/// <summary>
/// Polls recent search (<c>GET /2/tweets/search/recent</c>) or full-archive search
/// (<c>GET /2/tweets/search/all</c>) for the configured query every poll interval. A poll requests
/// the tweets after the newest id of the last finished poll (<c>since_id</c>), or from the
/// configured start before any, and follows <c>next_token</c> to its last page. Every page commits
/// with a checkpoint that contains the token of the next page, so a restart in the middle of a
/// poll continues with that page. The stored <c>since_id</c> advances only when a poll has reached
/// its last page. A search whose range has an end runs until one poll has finished.
/// </summary>
internal sealed class SearchPoller(
    XApiClient client,
    CollectorStore store,
    IOptions<CollectorOptions> options,
    CollectorMetrics metrics,
    TimeProvider timeProvider,
    ILogger<SearchPoller> logger)
{
    private readonly SearchRequest search = SearchRequest.FromOptions(options.Value);
    private readonly TimeSpan pollInterval = options.Value.PollInterval;

    private string Query => search.Query;

    private string Source => search.Endpoint.Source;

    /// <summary>The checkpoint key: one checkpoint per source, query text and configured range.</summary>
    public string SourceKey => search.SourceKey;

    /// <summary>
    /// Polls until <paramref name="cancellationToken"/> is cancelled, or for a search with an end,
    /// until one poll has reached its last page. A poll that fails on a network error, a 5xx after its
    /// retries or a database outage is logged and the next poll continues from the checkpoint. A
    /// rejected bearer token or request ends the loop with the exception.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.CollectorStarting(logger, Source, string.Join(' ', Query, search.RangeText()).TrimEnd());
        while (true)
        {
            try
            {
                await PollAsync(cancellationToken);
                if (search.IsBounded)
                {
                    Log.SearchRangeFinished(logger, Source, Query, search.RangeText());
                    return;
                }
            }
            catch (Exception ex) when (CanRetryNextPoll(ex) && !cancellationToken.IsCancellationRequested)
            {
                Log.PollFailed(logger, Source, Query, pollInterval, ex);
            }

            metrics.Waiting(pollInterval);
            await Task.Delay(pollInterval, timeProvider, cancellationToken);
        }
    }

    /// <summary>Runs one poll to its last page.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var checkpoint = await store.LoadCheckpointAsync(SourceKey, cancellationToken);
        var sinceId = checkpoint?.NewestId ?? search.SinceId;
        var nextToken = checkpoint?.NextToken;
        var pollNewestId = checkpoint?.PollNewestId;
        var pages = 0;
        long tweets = 0;
        long enqueued = 0;

        while (true)
        {
            string body;
            try
            {
                body = await client.GetAsync(search.Build(sinceId, nextToken), search.Endpoint.MinimumRequestInterval, cancellationToken);
            }
            catch (XApiRequestException ex) when (ex.StatusCode == HttpStatusCode.BadRequest && nextToken is not null && NamesParameter(ex, "next_token", "pagination_token"))
            {
                // Tokens expire; the seen-tweets table skips what the restarted poll finds again.
                Log.PaginationTokenRejected(logger, ex.StatusCode, ex.Detail, sinceId);
                nextToken = null;
                continue;
            }
            catch (XApiRequestException ex) when (ex.StatusCode == HttpStatusCode.BadRequest && search.Endpoint == SearchEndpoint.Recent
                && sinceId is { } rejectedId && NamesParameter(ex, "since_id"))
            {
                Log.SinceIdRejected(logger, rejectedId, ex.StatusCode, ex.Detail);
                sinceId = null;
                nextToken = null;
                continue;
            }

            using var document = JsonDocument.Parse(body);
            var page = ApiPage.Parse(document.RootElement, new CollectionSource(Source, Query), timeProvider.GetUtcNow());
            pages++;
            pollNewestId = Max(pollNewestId, page.NewestId);

            // Until the last page, since_id stays where the poll started, so a crash or an expired
            // token never skips the older pages of this poll.
            var saved = page.NextToken is null
                ? new Checkpoint(NewestId: Max(sinceId, pollNewestId))
                : new Checkpoint(NewestId: sinceId, PollNewestId: pollNewestId, NextToken: page.NextToken);
            var commit = await store.CommitPageAsync(SourceKey, saved, page.Tweets, page.Deletions, rejected: null, cancellationToken);
            var position = $"{Source} page {pages}";
            Log.PageCommitted(logger, position, commit.Tweets, commit.Enqueued);
            PartialErrors.Log(logger, position, page.Errors);
            tweets += commit.Tweets;
            enqueued += commit.Enqueued;

            if (page.NextToken is null)
            {
                Log.PollFinished(logger, Source, Query, pages, tweets, enqueued, saved.NewestId);
                return;
            }

            nextToken = page.NextToken;
        }
    }

    // Outages of the API or the database may pass, and so may a page the API sent garbled. A
    // rejected token or request will not, so those end the collector.
    private static bool CanRetryNextPoll(Exception exception) =>
        exception is XApiRequestException { IsTransient: true } or TimeoutRejectedException or JsonException or FormatException
        || (exception is not XApiRequestException && Transient.IsTransient(exception));

    private static bool NamesParameter(XApiRequestException exception, params string[] names) =>
        names.Any(name => exception.Detail.Contains(name, StringComparison.OrdinalIgnoreCase));

    private static long? Max(long? first, long? second)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        return Math.Max(first.Value, second.Value);
    }
}
