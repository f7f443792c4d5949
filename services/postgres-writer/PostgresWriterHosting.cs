using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.PostgresWriter.Sentiment;
using Pipeline.Vader;

namespace Pipeline.PostgresWriter;

/// <summary>Registers the Postgres writer: its tables, its store and its queue subscription name, or the rescore command.</summary>
internal static class PostgresWriterHosting
{
    /// <summary>The subscription used when <c>Queue:Subscription</c> is not set.</summary>
    public const string DefaultSubscription = "postgres-writer";

    /// <summary>
    /// Applies the <c>tweets</c> migrations at start, then sets the analyst's login from
    /// <c>Database:AnalystPassword</c>, adds the <see cref="TweetStore"/> with its <c>Deletions</c> settings and makes
    /// <see cref="DefaultSubscription"/> the subscription unless configuration names another.
    /// Call it before <c>AddQueueConsumer</c>, so that the tables exist when the consumer starts.
    /// </summary>
    public static IHostApplicationBuilder AddPostgresWriter(this IHostApplicationBuilder builder)
    {
        builder.AddTweetStore();

        // Registered after the migrations of AddTweetStore, so the analyst role exists when it starts.
        builder.Services.AddOptions<DatabaseOptions>().Bind(builder.Configuration.GetSection(DatabaseOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        builder.Services.AddHostedService<AnalystPassword>();

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

    /// <summary>
    /// Adds the <c>rescore</c> command instead of the queue subscriber: the <c>tweets</c>
    /// migrations, the <see cref="TweetStore"/>, the <c>Rescore</c> settings and the
    /// <see cref="SentimentRescore"/> worker, which stops the host when it is done. Run the host
    /// with <see cref="RunRescoreAsync"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSentimentRescore(this IHostApplicationBuilder builder)
    {
        builder.AddTweetStore();

        var services = builder.Services;
        services.AddOptions<RescoreOptions>()
            .Bind(builder.Configuration.GetSection(RescoreOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RescoreOptions>, RescoreOptionsValidator>();
        services.AddSingleton<SentimentRescore>();
        services.AddHostedService(provider => provider.GetRequiredService<SentimentRescore>());
        return builder;
    }

    /// <summary>
    /// Runs a host built with <see cref="AddSentimentRescore"/> and returns the exit code: 0 when
    /// every outdated tweet was rescored, <see cref="PipelineHosting.FatalExitCode"/> when the
    /// rescore failed or was stopped before it finished.
    /// </summary>
    public static async Task<int> RunRescoreAsync(this IHost host)
    {
        // RunServiceAsync disposes the host, so the worker is looked up first.
        var rescore = host.Services.GetRequiredService<SentimentRescore>();
        var exitCode = await host.RunServiceAsync("postgres-writer rescore");
        return exitCode == 0 && !rescore.Completed ? PipelineHosting.FatalExitCode : exitCode;
    }

    private static void AddTweetStore(this IHostApplicationBuilder builder)
    {
        builder.AddMigrations("tweets", typeof(TweetStore).Assembly);
        builder.Services.AddOptions<DeletionOptions>()
            .Bind(builder.Configuration.GetSection(DeletionOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DeletionOptions>, DeletionOptionsValidator>();
        builder.Services.AddSingleton(_ => VaderScorer.Default);
        builder.Services.AddSingleton<TweetSentimentScorer>();
        builder.Services.AddSingleton<TweetStore>();
    }
}
