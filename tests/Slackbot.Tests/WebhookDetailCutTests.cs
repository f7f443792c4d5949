using Pipeline.Slackbot.Webhook;
using Xunit;

namespace Pipeline.Slackbot.Tests;

/// <summary>
/// A long response body from Slack is cut before it goes into a log line or a post outcome. The
/// cut must fall between code points, so an emoji at the limit is kept whole or dropped.
/// </summary>
public sealed class WebhookDetailCutTests : IAsyncLifetime
{
    private BotHost bot = null!;
    private FakeSlackWebhook slack = null!;

    public async ValueTask InitializeAsync()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(BotHost.Start);
        slack = await FakeSlackWebhook.StartAsync(clock, TestContext.Current.CancellationToken);
        bot = BotHost.Create(slack.Url, clock: clock);
    }

    public async ValueTask DisposeAsync()
    {
        await bot.DisposeAsync();
        await slack.DisposeAsync();
    }

    [Theory]
    [InlineData(198)]
    [InlineData(199)]
    [InlineData(200)]
    public async Task Post_EmojiAtDetailLimit_NotSplit(int emojiIndex)
    {
        // The detail keeps at most 200 UTF-16 code units of the body, and the emoji is two of them.
        var body = new string('a', emojiIndex - 3) + "hi \U0001F600 there" + new string('b', 300);
        slack.Enqueue(new ScriptedResponse(400, body));

        var result = await bot.AdvanceUntilDoneAsync(() => bot.Webhook.PostAsync("""{"text":"x"}""", TestContext.Current.CancellationToken));

        Assert.Equal(PostOutcome.Rejected, result.Outcome);
        Assert.True(IsSurrogateFree(result.Detail!), $"The detail contains a lone surrogate: {Escape(result.Detail)}");
    }

    /// <summary>Returns false when a high surrogate is not followed by a low one, or a low surrogate has no high one before it.</summary>
    private static bool IsSurrogateFree(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Escape(string? text) =>
        string.Concat((text ?? "").Select(c => char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
