using System.Text.Json;
using Pipeline.Testing;

namespace EndToEnd.Tests;

/// <summary>The distinct tweets of the collector's bundled sample, read straight from its JSONL pages.</summary>
internal static class SampleTweets
{
    public static string Folder => Path.Combine(TestData.RepositoryRoot, "services", "get_tweets", "sample");

    /// <summary>Each distinct tweet id with its text and created_at, from <c>data</c> and <c>includes.tweets</c>.</summary>
    public static Dictionary<long, (string Text, DateTimeOffset CreatedAt)> Read()
    {
        var tweets = new Dictionary<long, (string Text, DateTimeOffset CreatedAt)>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.jsonl"))
        {
            foreach (var line in File.ReadLines(file).Where(l => !string.IsNullOrWhiteSpace(l)))
            {
                using var page = JsonDocument.Parse(line);
                var root = page.RootElement;
                if (root.TryGetProperty("data", out var data))
                {
                    foreach (var tweet in data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().ToList() : [data])
                    {
                        Add(tweets, tweet);
                    }
                }

                if (root.TryGetProperty("includes", out var includes) && includes.TryGetProperty("tweets", out var included))
                {
                    foreach (var tweet in included.EnumerateArray())
                    {
                        Add(tweets, tweet);
                    }
                }
            }
        }

        return tweets;
    }

    private static void Add(Dictionary<long, (string Text, DateTimeOffset CreatedAt)> tweets, JsonElement tweet)
    {
        var id = long.Parse(tweet.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var createdAt = DateTimeOffset.Parse(tweet.GetProperty("created_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        tweets.TryAdd(id, (tweet.GetProperty("text").GetString()!, createdAt));
    }
}
