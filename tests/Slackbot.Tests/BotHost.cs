using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.Core.Hosting;
using Pipeline.Core.Queue;
using Pipeline.Slackbot.Webhook;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>
/// The bot's services as <c>Program.cs</c> registers them, on a fake clock unless a test requests
/// the system clock, with every log entry captured and settings from a dictionary instead of
/// the environment. The host is built but not started unless a test calls <see cref="IHost.StartAsync"/>.
/// </summary>
internal sealed class BotHost : IAsyncDisposable
{
    /// <summary>The time the fake clock starts at.</summary>
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider? clock;

    private BotHost(IHost host, FakeTimeProvider? clock, CapturedLogs logs)
    {
        Host = host;
        this.clock = clock;
        Logs = logs;
    }

    public IHost Host { get; }

    /// <summary>The fake clock; a host on the system clock has none.</summary>
    public FakeTimeProvider Clock => clock ?? throw new InvalidOperationException("This host runs on the system clock.");

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => Host.Services;

    public SlackWebhookClient Webhook => Services.GetRequiredService<SlackWebhookClient>();

    public IQueueHandler Handler => Services.GetRequiredService<IQueueHandler>();

    public PostedStore Store => Services.GetRequiredService<PostedStore>();

    /// <summary>
    /// Builds the host. <paramref name="settings"/> add to or replace the defaults: the stand-in's
    /// URL, a keyword rule for "brexit", a request timeout long enough that a fake clock moving on
    /// during a real request never trips it, and the test's database when one is given.
    /// </summary>
    /// <param name="clock">The fake clock to share with the stand-in; a new one when null.</param>
    /// <param name="useSystemClock">True to keep <see cref="TimeProvider.System"/>, for tests that run the queue consumer, whose polling waits on the clock.</param>
    public static BotHost Create(
        string webhookUrl,
        string? connectionString = null,
        IDictionary<string, string?>? settings = null,
        FakeTimeProvider? clock = null,
        bool useSystemClock = false)
    {
        var values = new Dictionary<string, string?>
        {
            ["Slack:WebhookUrl"] = webhookUrl,
            ["Slack:Keywords:0"] = "brexit",
            ["Slack:RequestTimeout"] = "00:10:00",
            ["ConnectionStrings:Postgres"] = connectionString,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        // No default sources, so the machine's environment variables cannot change the test.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values);
        builder.AddPipelineDefaults();
        builder.AddSlackWebhook();
        builder.AddSlackbot();

        var fakeClock = useSystemClock ? null : clock ?? new FakeTimeProvider(Start);
        if (fakeClock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(fakeClock);
        }

        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        return new BotHost(builder.Build(), fakeClock, logs);
    }

    /// <summary>Applies the queue and <c>slackbot</c> migrations to the test's database.</summary>
    public async Task MigrateAsync()
    {
        var dataSource = Services.GetRequiredService<NpgsqlDataSource>();
        var token = TestContext.Current.CancellationToken;
        await Migrations.ApplyAsync(dataSource, typeof(QueueClient).Assembly, "queue", NullLogger.Instance, token);
        await Migrations.ApplyAsync(dataSource, typeof(PostedStore).Assembly, "slackbot", NullLogger.Instance, token);
    }

    /// <summary>
    /// Runs <paramref name="work"/> while the fake clock moves on by <paramref name="step"/> about
    /// every millisecond of real time, so that waits on the clock end; fails after 30 s of real time.
    /// </summary>
    public async Task<T> AdvanceUntilDoneAsync<T>(Func<Task<T>> work, TimeSpan? step = null)
    {
        var task = work();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The work did not finish within 30 s of real time.");
            }

            Clock.Advance(step ?? TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(task, Task.Delay(1, TestContext.Current.CancellationToken));
        }

        return await task;
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            Host.Dispose();
        }
    }
}
