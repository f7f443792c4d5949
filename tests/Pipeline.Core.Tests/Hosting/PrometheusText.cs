using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Core.Tests.Hosting;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, for checking what a service
/// serves on <c>/metrics</c>: <c># HELP</c> and <c># TYPE</c> lines, samples with optional
/// labels and timestamp, a declared type before each family's samples, and consistent histograms.
/// </summary>
internal sealed partial class PrometheusText
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public Dictionary<string, string> Help { get; } = [];

    public Dictionary<string, string> TypeOf { get; } = [];

    public List<Sample> Samples { get; } = [];

    /// <summary>Parses the whole text; throws <see cref="FormatException"/> naming the first invalid line.</summary>
    public static PrometheusText Parse(string text)
    {
        var result = new PrometheusText();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                result.ParseLine(line);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"Line {lineNumber} is not valid Prometheus text ({ex.Message}): {line}", ex);
            }
        }

        result.CheckHistograms();
        return result;
    }

    /// <summary>Returns the value of the one sample with this name and these labels; throws when there is none.</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Find(name, labels) ?? throw new KeyNotFoundException($"No sample {name}{{{string.Join(',', labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}.");

    /// <summary>Returns the value of the sample with this name and these labels, or null.</summary>
    public double? Find(string name, params (string Name, string Value)[] labels) =>
        Samples.SingleOrDefault(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))?.Value;

    private void ParseLine(string line)
    {
        if (line.StartsWith('#'))
        {
            var comment = CommentLine().Match(line);
            if (!comment.Success)
            {
                return;
            }

            var keyword = comment.Groups["keyword"].Value;
            var name = comment.Groups["name"].Value;
            var rest = comment.Groups["rest"].Value;
            if (keyword == "HELP")
            {
                if (!Help.TryAdd(name, rest))
                {
                    throw new FormatException($"a second HELP for {name}");
                }
            }
            else
            {
                if (!Types.Contains(rest))
                {
                    throw new FormatException($"unknown type '{rest}'");
                }

                if (Samples.Any(s => Family(s.Name) == name))
                {
                    throw new FormatException($"TYPE of {name} after its samples");
                }

                if (!TypeOf.TryAdd(name, rest))
                {
                    throw new FormatException($"a second TYPE for {name}");
                }
            }

            return;
        }

        var match = SampleLine().Match(line);
        if (!match.Success)
        {
            throw new FormatException("not a sample");
        }

        var sampleName = match.Groups["name"].Value;
        var labels = ParseLabels(match.Groups["labels"].Value);
        var value = ParseValue(match.Groups["value"].Value);
        if (!TypeOf.ContainsKey(Family(sampleName)))
        {
            throw new FormatException($"sample of {sampleName} without a TYPE line before it");
        }

        Samples.Add(new Sample(sampleName, labels, value));
    }

    private string Family(string sampleName)
    {
        foreach (var suffix in HistogramSuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && TypeOf.TryGetValue(sampleName[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return sampleName[..^suffix.Length];
            }
        }

        return sampleName;
    }

    private void CheckHistograms()
    {
        foreach (var (family, _) in TypeOf.Where(t => t.Value == "histogram"))
        {
            var series = Samples.Where(s => s.Name == family + "_count")
                .Select(s => s.Labels)
                .ToList();
            foreach (var labels in series)
            {
                bool SameSeries(Sample s) => labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
                var buckets = Samples.Where(s => s.Name == family + "_bucket" && SameSeries(s)).ToList();
                var count = Samples.Single(s => s.Name == family + "_count" && SameSeries(s) && s.Labels.Count == labels.Count).Value;
                var infinite = buckets.SingleOrDefault(b => b.Labels.GetValueOrDefault("le") == "+Inf")
                    ?? throw new FormatException($"histogram {family} has no +Inf bucket");
                if (infinite.Value != count)
                {
                    throw new FormatException($"histogram {family}: the +Inf bucket ({infinite.Value}) differs from _count ({count})");
                }

                var cumulative = buckets.Select(b => b.Value).ToList();
                if (cumulative.Zip(cumulative.Skip(1)).Any(pair => pair.Second < pair.First))
                {
                    throw new FormatException($"histogram {family}: bucket counts are not cumulative");
                }
            }
        }
    }

    private static Dictionary<string, string> ParseLabels(string text)
    {
        var labels = new Dictionary<string, string>();
        var position = 0;
        while (position < text.Length)
        {
            var label = LabelPair().Match(text, position);
            if (!label.Success || label.Index != position)
            {
                throw new FormatException($"invalid label at '{text[position..]}'");
            }

            if (!labels.TryAdd(label.Groups["name"].Value, Unescape(label.Groups["value"].Value)))
            {
                throw new FormatException($"label {label.Groups["name"].Value} repeated");
            }

            position += label.Length;
        }

        return labels;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string value)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                result.Append(value[i]);
                continue;
            }

            result.Append(value[++i] switch
            {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                var other => throw new FormatException($"invalid escape \\{other}"),
            });
        }

        return result.ToString();
    }

    [GeneratedRegex("^# (?<keyword>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?: (?<rest>.*))?$")]
    private static partial Regex CommentLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>\S+)(?: -?\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""\G(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();

    /// <summary>One sample line.</summary>
    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
