using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Xunit;

namespace Pipeline.Slackbot.Tests;

public sealed class TweetRulesTests
{
    [Theory]
    [InlineData("Brexit talks resume", true)]
    [InlineData("after #brexit, what next?", true)]
    [InlineData("BREXIT!", true)]
    [InlineData("brexiteers gather", false)]
    [InlineData("antibrexit march", false)]
    [InlineData("no keyword here", false)]
    public void Matches_Keyword_WholeWordIgnoringCase(string text, bool expected)
    {
        var rules = Rules(new SlackOptions { Keywords = ["brexit"] });

        Assert.Equal(expected, Matches(rules, TestTweets.Tweet(1, text)));
    }

    [Fact]
    public void Matches_Phrase_AcrossWords()
    {
        var rules = Rules(new SlackOptions { Keywords = ["climate change"] });

        Assert.True(Matches(rules, TestTweets.Tweet(1, "Talking about Climate Change today")));
    }

    [Fact]
    public void Matches_KeywordInScriptWithoutSpaces_MatchesInsideText()
    {
        var rules = Rules(new SlackOptions { Keywords = ["東京"] });

        Assert.True(Matches(rules, TestTweets.Tweet(1, "今日は東京に行きました", lang: "ja")));
    }

    [Fact]
    public void Matches_KeywordBesideEmoji_Matches()
    {
        var rules = Rules(new SlackOptions { Keywords = ["brexit"] });

        Assert.True(Matches(rules, TestTweets.Tweet(1, "\U0001F1EC\U0001F1E7brexit\U0001F389")));
    }

    [Theory]
    [InlineData("Brexit", true)]
    [InlineData("PeoplesVote", false)]
    public void Matches_Hashtag_ComparesEntitiesIgnoringCase(string tagInTweet, bool expected)
    {
        var rules = Rules(new SlackOptions { Hashtags = ["brexit"] });

        Assert.Equal(expected, Matches(rules, TestTweets.Tweet(1, "text without the word", hashtags: [tagInTweet])));
    }

    [Fact]
    public void Matches_HashtagOnlyInLongPost_ReadsNoteTweetEntities()
    {
        var rules = Rules(new SlackOptions { Hashtags = ["late"] });
        var tweet = TestTweets.Tweet(1, "The first 280 characters…", hashtags: ["early"]);
        tweet["note_tweet"] = new JsonObject
        {
            ["text"] = "The first 280 characters and much more, ending in #late",
            ["entities"] = new JsonObject { ["hashtags"] = new JsonArray(new JsonObject { ["tag"] = "late", ["start"] = 51, ["end"] = 56 }) },
        };

        Assert.True(Matches(rules, tweet));
    }

    [Fact]
    public void Matches_KeywordOrHashtag_EitherSuffices()
    {
        var rules = Rules(new SlackOptions { Keywords = ["referendum"], Hashtags = ["brexit"] });

        Assert.True(Matches(rules, TestTweets.Tweet(1, "no keyword", hashtags: ["Brexit"])));
        Assert.True(Matches(rules, TestTweets.Tweet(2, "a referendum", hashtags: ["other"])));
    }

    [Theory]
    [InlineData("de", true)]
    [InlineData("EN", true)]
    [InlineData("fr", false)]
    public void Matches_Language_OnlyListedOnes(string lang, bool expected)
    {
        var rules = Rules(new SlackOptions { Languages = ["en", "de"] });

        Assert.Equal(expected, Matches(rules, TestTweets.Tweet(1, "any text", lang: lang)));
    }

    [Theory]
    [InlineData(4, 3, 2, 1, true)]
    [InlineData(4, 3, 2, 0, false)]
    [InlineData(10, 0, 0, 0, true)]
    public void Matches_MinEngagement_SumsFourCounts(long likes, long retweets, long quotes, long replies, bool expected)
    {
        var rules = Rules(new SlackOptions { MinEngagement = 10 });

        Assert.Equal(expected, Matches(rules, TestTweets.Tweet(1, "any text", likes: likes, retweets: retweets, quotes: quotes, replies: replies)));
    }

    [Fact]
    public void Matches_MinEngagementWithoutMetrics_CountsZero()
    {
        var rules = Rules(new SlackOptions { MinEngagement = 1 });
        var tweet = TestTweets.Tweet(1, "any text");
        tweet.Remove("public_metrics");

        Assert.False(Matches(rules, tweet));
    }

    [Fact]
    public void Matches_SeveralKinds_AllMustHold()
    {
        var rules = Rules(new SlackOptions { Keywords = ["brexit"], Languages = ["en"], MinEngagement = 5 });

        Assert.True(Matches(rules, TestTweets.Tweet(1, "brexit", lang: "en", likes: 5)));
        Assert.False(Matches(rules, TestTweets.Tweet(2, "brexit", lang: "de", likes: 5)));
        Assert.False(Matches(rules, TestTweets.Tweet(3, "brexit", lang: "en", likes: 4)));
        Assert.False(Matches(rules, TestTweets.Tweet(4, "other", lang: "en", likes: 5)));
    }

    [Fact]
    public void Matches_Retweet_NeverMatches()
    {
        var rules = Rules(new SlackOptions { MinEngagement = 0 });
        var retweet = TestTweets.Tweet(1, "RT @ada: brexit");
        retweet["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = "retweeted", ["id"] = "2" });

        Assert.False(Matches(rules, retweet));
    }

    [Fact]
    public void Matches_NoRules_NothingMatches()
    {
        var rules = Rules(new SlackOptions { DigestInterval = TimeSpan.FromHours(1) });

        Assert.False(Matches(rules, TestTweets.Tweet(1, "brexit", likes: 1000)));
    }

    [Fact]
    public void Matches_ZeroMinEngagement_MatchesEveryTweet()
    {
        var rules = Rules(new SlackOptions { MinEngagement = 0 });

        Assert.True(Matches(rules, TestTweets.Tweet(1, "anything")));
    }

    [Theory]
    [InlineData("I love this, what a great day!", "positive", true)]
    [InlineData("This is terrible and I hate it.", "positive", false)]
    [InlineData("This is terrible and I hate it.", "negative", true)]
    [InlineData("The meeting is at noon.", "neutral", true)]
    [InlineData("The meeting is at noon.", "positive,negative", false)]
    public void Matches_Sentiment_OnlyListedLabels(string text, string labels, bool expected)
    {
        var rules = Rules(new SlackOptions { Sentiments = [labels] });

        Assert.Equal(expected, Matches(rules, TestTweets.Tweet(1, text)));
    }

    [Fact]
    public void Matches_SentimentOfLongPost_ScoresWholeText()
    {
        var rules = Rules(new SlackOptions { Sentiments = ["negative"] });
        var tweet = TestTweets.Tweet(1, "The meeting is at noon and then");
        tweet["note_tweet"] = new JsonObject { ["text"] = "The meeting is at noon and then everything went horribly wrong, a disaster." };

        Assert.True(Matches(rules, tweet));
    }

    [Fact]
    public void Describe_Sentiment_NamesLabels()
    {
        var rules = Rules(new SlackOptions { Sentiments = ["Negative"] });

        Assert.Equal("sentiment [negative]", rules.Describe());
    }

    private static TweetRules Rules(SlackOptions options)
    {
        new SlackOptionsNormalizer().PostConfigure(null, options);
        return new TweetRules(Options.Create(options));
    }

    private static bool Matches(TweetRules rules, JsonObject tweet)
    {
        var (parsed, hashtags) = TestTweets.Parse(tweet);
        return rules.Matches(parsed, hashtags);
    }
}
