using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.Slackbot.Messages;
using Pipeline.Slackbot.Webhook;
using Polly;
using Polly.Registry;

namespace Pipeline.Slackbot;

/// <summary>
/// The queue subscriber: posts each tweet of a batch that matches the <see cref="TweetRules"/>,
/// one message per tweet, and never a tweet that an earlier delivery posted or started to post.
/// A deletion message is acknowledged without a post, and a tweet that was posted before it stays
/// in Slack, because an incoming webhook cannot delete a message.
/// A message that is not a valid envelope comes back as a <see cref="MessageFailure"/>. When the
/// webhook is dead, matching tweets are counted and skipped, and the batch is still acknowledged,
/// so that the bot's subscription does not hold back the queue.
/// </summary>
internal sealed class SlackbotHandler(
    TweetRules rules,
    PostedStore store,
    SlackWebhookClient webhook,
    ResiliencePipelineProvider<string> pipelines,
    ILogger<SlackbotHandler> logger) : IQueueHandler
{
    private readonly ResiliencePipeline database = pipelines.GetPipeline(ResiliencePipelines.Postgres);
    private long skippedSinceWebhookDied;

    /// <inheritdoc />
    public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        var failures = new List<MessageFailure>();
        var matches = new List<(long MessageId, TweetPost Post)>();
        foreach (var message in messages)
        {
            try
            {
                if (Match(message) is { } post)
                {
                    matches.Add((message.Id, post));
                }
            }
            catch (Exception ex) when (IsInvalidContent(ex))
            {
                // The consumer logs every returned failure with its message id and this reason.
                failures.Add(new MessageFailure(message.Id, $"Invalid tweet envelope: {ex.Message}"));
            }
        }

        var counts = new BatchCounts();
        foreach (var (messageId, post) in matches)
        {
            if (webhook.Dead is not null)
            {
                counts.Skipped++;
                continue;
            }

            if (await PostAsync(messageId, post, counts, cancellationToken) is { } failure)
            {
                failures.Add(failure);
            }
        }

        if (matches.Count > 0)
        {
            Log.BatchPosted(logger, messages.Count, matches.Count, counts.Posted, counts.AlreadyPosted, counts.OutcomeUnknown, counts.Rejected, counts.Skipped);
        }

        if (counts.Skipped > 0)
        {
            skippedSinceWebhookDied += counts.Skipped;
            Log.SkippedWhileDead(logger, counts.Skipped, skippedSinceWebhookDied, webhook.Dead!.Describe());
        }

        return failures;
    }

    /// <inheritdoc />
    public bool IsTransient(Exception exception) => exception is SlackUnavailableException;

    /// <summary>Returns the post of the message's tweet when the tweet matches the rules, or null, always null for a deletion.</summary>
    private TweetPost? Match(QueueMessage message)
    {
        if (TweetMessage.Parse(message.Payload).Tweet is not { } envelope)
        {
            return null;
        }

        var tweet = Tweet.Parse(envelope.Tweet);
        if (!rules.Matches(tweet, tweet.Entities.Hashtags))
        {
            return null;
        }

        var author = envelope.Author is { ValueKind: JsonValueKind.Object } raw ? TwitterUser.Parse(raw) : null;
        return TweetPost.From(tweet, author);
    }

    /// <summary>
    /// Reserves, posts and confirms one tweet (the order and its trade-off are explained on
    /// <see cref="PostedStore"/>). Returns a failure when Slack rejected this message, and throws
    /// <see cref="SlackUnavailableException"/> when Slack could not take it now, so that the batch
    /// comes back later; the tweets posted before stay recorded and are not posted again.
    /// </summary>
    private async Task<MessageFailure?> PostAsync(long messageId, TweetPost post, BatchCounts counts, CancellationToken cancellationToken)
    {
        switch (await store.ReserveAsync(post.TweetId, cancellationToken))
        {
            case Reservation.AlreadyPosted:
                counts.AlreadyPosted++;
                return null;
            case Reservation.OutcomeUnknown:
                counts.OutcomeUnknown++;
                Log.EarlierOutcomeUnknown(logger, post.TweetId);
                return null;
        }

        PostResult result;
        try
        {
            result = await webhook.PostAsync(BlockKitMessages.ForTweet(post), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping during a wait: the request was not sent, so the next delivery may post it.
            await ReleaseOnStopAsync(post.TweetId);
            throw;
        }

        switch (result.Outcome)
        {
            case PostOutcome.Posted:
                // Recorded even when the bot is stopping, because the post is in the channel.
                await database.ExecuteAsync(async token => await store.ConfirmAsync(post.TweetId, token), CancellationToken.None);
                counts.Posted++;
                Log.TweetPosted(logger, post.TweetId, messageId);
                return null;

            case PostOutcome.OutcomeUnknown:
                counts.OutcomeUnknown++;
                Log.PostOutcomeUnknown(logger, post.TweetId, result.Detail);
                return null;

            case PostOutcome.Rejected:
                await ReleaseAsync(post.TweetId);
                counts.Rejected++;
                return new MessageFailure(messageId, $"Slack rejected the message of tweet {post.TweetId}: {result.Detail}");

            case PostOutcome.WebhookDead:
                await ReleaseAsync(post.TweetId);
                counts.Skipped++;
                return null;

            default:
                await ReleaseAsync(post.TweetId);
                throw new SlackUnavailableException($"Slack did not take the message of tweet {post.TweetId}: {result.Detail}");
        }
    }

    private async Task ReleaseAsync(long tweetId) =>
        await database.ExecuteAsync(async token => await store.ReleaseAsync(tweetId, token), CancellationToken.None);

    private async Task ReleaseOnStopAsync(long tweetId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await store.ReleaseAsync(tweetId, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException || Transient.IsTransient(ex))
        {
            // The reservation stays, and the tweet counts as posted with an unknown outcome.
            Log.ReleaseFailed(logger, tweetId, ex);
        }
    }

    private static bool IsInvalidContent(Exception exception) => exception
        is JsonException
        or FormatException
        or KeyNotFoundException
        or OverflowException
        // System.Text.Json throws it for a value of the wrong kind and for invalid UTF-16 escapes.
        or InvalidOperationException;

    /// <summary>What became of the matching tweets of one batch.</summary>
    private sealed class BatchCounts
    {
        public int Posted { get; set; }

        public int AlreadyPosted { get; set; }

        public int OutcomeUnknown { get; set; }

        public int Rejected { get; set; }

        public int Skipped { get; set; }
    }
}

/// <summary>Slack could not take a message now (429 or 5xx after the retries, or no connection); the batch is delivered again later.</summary>
internal sealed class SlackUnavailableException(string message) : Exception(message);
