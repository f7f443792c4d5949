using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Core.Tweets;
using Pipeline.MongoWriter.Rescore;

namespace Pipeline.MongoWriter;

/// <summary>The service registrations of the Mongo writer, one extension per concern.</summary>
internal static class MongoWriterHosting
{
    /// <summary>The queue subscription used unless <c>Queue:Subscription</c> is set.</summary>
    public const string DefaultSubscription = "mongo-writer";

    /// <summary>The name the client reports to MongoDB, visible in its logs and <c>currentOp</c>.</summary>
    public const string ApplicationName = "mongo-writer";

    /// <summary>
    /// Adds the validated <see cref="MongoOptions"/>, one <see cref="IMongoClient"/>, the database,
    /// the MongoDB retry pipelines, the <see cref="ITweetStore"/> and the index creation at start.
    /// </summary>
    public static IHostApplicationBuilder AddMongo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MongoOptions>()
            .Bind(builder.Configuration.GetSection(MongoOptions.SectionName))
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString(MongoOptions.ConnectionStringName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MongoOptions>, MongoOptionsValidator>();

        builder.Services.AddSingleton<IMongoClient>(services =>
        {
            var options = services.GetRequiredService<IOptions<MongoOptions>>().Value;
            var url = MongoUrl.Create(options.ConnectionString);
            var settings = MongoClientSettings.FromUrl(url);
            settings.ApplicationName ??= ApplicationName;

            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MongoWriterHosting));
            MongoWriterLog.Connecting(logger, options.Database, string.Join(",", url.Servers.Select(server => server.ToString())));
            return new MongoClient(settings);
        });
        builder.Services.AddSingleton(services => services.GetRequiredService<IMongoClient>()
            .GetDatabase(services.GetRequiredService<IOptions<MongoOptions>>().Value.Database));

        builder.Services.AddMongoResilience();
        builder.Services.AddSingleton<ITweetStore, MongoTweetStore>();
        builder.Services.AddHostedService<MongoIndexes>();
        return builder;
    }

    /// <summary>
    /// Adds the queue consumer that feeds batches to <see cref="MongoWriterHandler"/>, subscribed
    /// as <see cref="DefaultSubscription"/> unless <c>Queue:Subscription</c> names another, and the
    /// validated <see cref="DeletionOptions"/>.
    /// Call it after <see cref="AddMongo"/>, so that the indexes exist before the first batch.
    /// </summary>
    public static IHostApplicationBuilder AddMongoWriter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeletionOptions>()
            .Bind(builder.Configuration.GetSection(DeletionOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DeletionOptions>, DeletionOptionsValidator>();

        // Registered before AddQueueConsumer binds the Queue section, which then overrides it.
        builder.Services.Configure<QueueConsumerOptions>(options => options.Subscription = DefaultSubscription);
        builder.AddQueueConsumer<MongoWriterHandler>();
        return builder;
    }

    /// <summary>
    /// Adds the validated <see cref="RescoreOptions"/> and the <see cref="SentimentRescore"/> worker
    /// of <c>mongo-writer rescore</c>. Call it after <see cref="AddMongo"/> and run the host with
    /// <see cref="RunRescoreAsync"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSentimentRescore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RescoreOptions>()
            .Bind(builder.Configuration.GetSection(RescoreOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RescoreOptions>, RescoreOptionsValidator>();
        builder.Services.AddSingleton<SentimentRescore>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SentimentRescore>());
        return builder;
    }

    /// <summary>
    /// Runs a host built with <see cref="AddSentimentRescore"/> and returns the exit code: 0 when
    /// every outdated document was rescored, <see cref="PipelineHosting.FatalExitCode"/> when the
    /// rescore failed or was stopped before it finished.
    /// </summary>
    public static async Task<int> RunRescoreAsync(this IHost host)
    {
        // RunServiceAsync disposes the host, so the worker is looked up first.
        var rescore = host.Services.GetRequiredService<SentimentRescore>();
        var exitCode = await host.RunServiceAsync("mongo-writer rescore");
        return exitCode == 0 && !rescore.Completed ? PipelineHosting.FatalExitCode : exitCode;
    }
}
