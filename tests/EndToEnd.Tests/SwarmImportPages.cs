using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests;

/// <summary>
/// A large import for the collector, made from the bundled sample: each copy of the sample's
/// twarc2 pages has every sample tweet id replaced by a fresh one, so each copy adds as many new
/// tweets as the sample holds. The pages are written as one gzip JSONL file.
/// </summary>
internal static partial class SwarmImportPages
{
    /// <summary>The name of the written file; the collector reads <c>*.jsonl.gz</c> files of a folder.</summary>
    public const string FileName = "pages.jsonl.gz";

    // Far above the ids in the recorded sample (the largest is about 1.61e18, a post of January
    // 2023), so a fresh id never equals a sample id that a copy leaves in place.
    private const long FirstFreshId = 1_900_000_000_000_000_000;

    /// <summary>
    /// Writes <paramref name="copies"/> copies of the sample's pages to <paramref name="folder"/> and
    /// returns the ids of every tweet they contain, from <c>data</c> and <c>includes.tweets</c>.
    /// </summary>
    public static HashSet<long> Write(string folder, int copies)
    {
        var sampleIds = SampleTweets.Read().Keys.Order().ToList();
        var rank = sampleIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => (long)p.index);
        var lines = Directory.EnumerateFiles(SampleTweets.Folder, "*.jsonl")
            .Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .ToList();

        var path = Path.Combine(folder, FileName);
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gzip, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            for (var copy = 0; copy < copies; copy++)
            {
                var offset = FirstFreshId + (copy * (long)sampleIds.Count);
                foreach (var line in lines)
                {
                    writer.WriteLine(QuotedNumber().Replace(line, match => Replace(match, rank, offset)));
                }
            }
        }

        // The collector runs as a non-root user, and the folder is bind-mounted into it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var sent = new HashSet<long>();
        for (var copy = 0; copy < copies; copy++)
        {
            for (var index = 0; index < sampleIds.Count; index++)
            {
                sent.Add(FirstFreshId + (copy * (long)sampleIds.Count) + index);
            }
        }

        return sent;
    }

    // X API v2 sends every id as a JSON string, so a tweet id appears in a page as "digits": in
    // data, includes, referenced_tweets, conversation_id and edit_history_tweet_ids alike.
    private static string Replace(Match match, Dictionary<long, long> rank, long offset) =>
        long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && rank.TryGetValue(id, out var index)
            ? "\"" + (offset + index).ToString(CultureInfo.InvariantCulture) + "\""
            : match.Value;

    [GeneratedRegex("\"([0-9]{1,19})\"")]
    private static partial Regex QuotedNumber();
}
