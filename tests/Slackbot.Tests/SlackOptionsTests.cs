using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Pipeline.Slackbot.Tests;

public sealed class SlackOptionsTests
{
    private const string ValidUrl = "https://hooks.slack.com/services/T000/B000/secretpart";

    [Fact]
    public void Validate_NothingToPost_NamesSettings()
    {
        var errors = Validate(new SlackOptions { WebhookUrl = ValidUrl });

        var error = Assert.Single(errors);
        Assert.Contains("Slack__Keywords__0", error, StringComparison.Ordinal);
        Assert.Contains("Slack__DigestInterval", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingUrl_NamesSettingAndEnvFile()
    {
        var error = Assert.Single(Validate(new SlackOptions { MinEngagement = 0 }));

        Assert.Contains("Slack__WebhookUrl", error, StringComparison.Ordinal);
        Assert.Contains("SLACK_WEBHOOK_URL", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hooks.slack.com/services/T000/B000/secretpart")]
    [InlineData("ftp://hooks.slack.com/services/T000/B000/secretpart")]
    [InlineData("https://user:secretpart@hooks.slack.com/")]
    public void Validate_InvalidUrl_HidesValue(string url)
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrl = url, MinEngagement = 0 }));

        Assert.Contains("Slack:WebhookUrl", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secretpart", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UrlInFile_ReadsTrimmedUrl()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, ValidUrl + "\n");
            var options = new SlackOptions { WebhookUrlFile = file, MinEngagement = 0 };

            Assert.Empty(Validate(options));
            Assert.Equal(ValidUrl, new Webhook.SlackWebhookUrl(Options.Create(options)).Uri.OriginalString);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Validate_MissingUrlFile_NamesFile()
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrlFile = "/no/such/file", MinEngagement = 0 }));

        Assert.Contains("'/no/such/file' cannot be read", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UrlAndFile_Rejected()
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrl = ValidUrl, WebhookUrlFile = "/run/secrets/slack", MinEngagement = 0 }));

        Assert.Contains("set only one", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secretpart", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("8.00:00:00")]
    public void Validate_DigestIntervalOutOfRange_Rejected(string interval)
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrl = ValidUrl, DigestInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) }));

        Assert.Contains("Slack:DigestInterval", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public void Validate_DigestSizeOutOfRange_Rejected(int size)
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrl = ValidUrl, MinEngagement = 0, DigestSize = size }));

        Assert.Contains("Slack:DigestSize", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HashtagWithSpace_Rejected()
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrl = ValidUrl, Hashtags = ["two words"] }));

        Assert.Contains("'two words'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownSentiment_NamesLabelsAllowed()
    {
        var error = Assert.Single(Validate(new SlackOptions { WebhookUrl = ValidUrl, Sentiments = ["negative, angry"] }));

        Assert.Contains("'angry'", error, StringComparison.Ordinal);
        Assert.Contains("positive, neutral or negative", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_CommaSeparatedLists_SplitAndNormalised()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Slack:Keywords:0"] = "brexit, eu referendum",
            ["Slack:Keywords:1"] = "Brexit",
            ["Slack:Hashtags:0"] = "#Brexit,＃EU",
            ["Slack:Languages:0"] = "EN, de",
            ["Slack:Sentiments:0"] = "Negative, neutral",
        });

        Assert.Equal(["brexit", "eu referendum"], options.Keywords);
        Assert.Equal(["Brexit", "EU"], options.Hashtags);
        Assert.Equal(["en", "de"], options.Languages);
        Assert.Equal(["negative", "neutral"], options.Sentiments);
    }

    [Fact]
    public void Bind_EmptyComposeVariables_MeanUnset()
    {
        // Compose passes ${SLACK_MIN_ENGAGEMENT:-} and the like as empty strings when unset.
        var options = Bind(new Dictionary<string, string?>
        {
            ["Slack:Keywords:0"] = "",
            ["Slack:Hashtags:0"] = "",
            ["Slack:Languages:0"] = "",
            ["Slack:Sentiments:0"] = "",
            ["Slack:MinEngagement"] = "",
            ["Slack:DigestInterval"] = "",
        });

        Assert.Empty(options.Keywords);
        Assert.Empty(options.Hashtags);
        Assert.Empty(options.Languages);
        Assert.Empty(options.Sentiments);
        Assert.Null(options.MinEngagement);
        Assert.Null(options.DigestInterval);
        Assert.False(options.HasTweetRules);
        Assert.False(options.HasDigest);
    }

    private static List<string> Validate(SlackOptions options)
    {
        new SlackOptionsNormalizer().PostConfigure(null, options);
        var result = new SlackOptionsValidator().Validate(null, options);
        return result.Succeeded ? [] : [.. result.Failures!];
    }

    private static SlackOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddOptions<SlackOptions>().Bind(configuration.GetSection(SlackOptions.SectionName));
        services.AddSingleton<IPostConfigureOptions<SlackOptions>, SlackOptionsNormalizer>();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SlackOptions>>().Value;
    }
}
