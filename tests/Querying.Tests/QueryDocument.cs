using System.Text.RegularExpressions;
using Pipeline.Testing;

namespace Pipeline.Querying.Tests;

/// <summary>One question of <c>docs/querying.md</c>: its check key and its SQL and mongosh answers.</summary>
/// <param name="Key">The name in the question's <c>&lt;!-- check: KEY --&gt;</c> marker.</param>
/// <param name="Sql">The text of the question's <c>sql</c> block.</param>
/// <param name="Mongo">The text of the question's <c>js</c> block, run in mongosh.</param>
public sealed record DocumentedQuery(string Key, string? Sql, string? Mongo)
{
    /// <inheritdoc />
    public override string ToString() => Key;
}

/// <summary>Reads the questions of <c>docs/querying.md</c>, the document that users copy queries from.</summary>
public static partial class QueryDocument
{
    /// <summary>The path of the document.</summary>
    public static string Path { get; } = System.IO.Path.Combine(TestData.RepositoryRoot, "docs", "querying.md");

    /// <summary>Every question in document order. A question runs from its check marker to the next one.</summary>
    public static IReadOnlyList<DocumentedQuery> Read()
    {
        var text = File.ReadAllText(Path).ReplaceLineEndings("\n");
        var markers = Marker().Matches(text);
        var queries = new List<DocumentedQuery>();
        for (var i = 0; i < markers.Count; i++)
        {
            var start = markers[i].Index + markers[i].Length;
            var end = i + 1 < markers.Count ? markers[i + 1].Index : text.Length;
            var section = text[start..end];
            queries.Add(new DocumentedQuery(markers[i].Groups["key"].Value, Block(section, "sql"), Block(section, "js")));
        }

        return queries;
    }

    private static string? Block(string section, string language)
    {
        var match = Regex.Match(section, $"```{language}\\n(?<body>.*?)```", RegexOptions.Singleline);
        return match.Success ? match.Groups["body"].Value.Trim() : null;
    }

    [GeneratedRegex(@"<!--\s*check:\s*(?<key>[a-z0-9-]+)\s*-->")]
    private static partial Regex Marker();
}
