using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.PostgresWriter.Sentiment;
using Pipeline.Vader;

namespace Pipeline.PostgresWriter;

/// <summary>Registers the Postgres writer: its tables, its store and its queue subscription name.</summary>
internal static class PostgresWriterHosting
{
    /// <summary>The subscription used when <c>Queue:Subscription</c> is not set.</summary>
    public const string DefaultSubscription = "postgres-writer";

    /// <summary>
    /// Applies the <c>tweets</c> migrations at start, adds the <see cref="TweetStore"/> and makes
    /// <see cref="DefaultSubscription"/> the subscription unless configuration names another.
    /// Call it before <c>AddQueueConsumer</c>, so that the tables exist when the consumer starts.
    /// </summary>
    public static IHostApplicationBuilder AddPostgresWriter(this IHostApplicationBuilder builder)
    {
        builder.AddTweetStore();

        // Runs after the binding of the Queue section, so an explicit Queue__Subscription wins.
        builder.Services.PostConfigure<QueueConsumerOptions>(options =>
        {
            if (string.IsNullOrEmpty(options.Subscription))
            {
                options.Subscription = DefaultSubscription;
            }
        });
        return builder;
    }

    private static void AddTweetStore(this IHostApplicationBuilder builder)
    {
        builder.AddMigrations("tweets", typeof(TweetStore).Assembly);
        builder.Services.AddSingleton(_ => VaderScorer.Default);
        builder.Services.AddSingleton<TweetSentimentScorer>();
        builder.Services.AddSingleton<TweetStore>();
    }
}
