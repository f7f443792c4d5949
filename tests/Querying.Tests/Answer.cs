using System.Globalization;
using System.Text;
using Xunit;

namespace Pipeline.Querying.Tests;

/// <summary>
/// The rows a documented query must return. Values are compared as text in one form for both
/// stores: integers in decimal, fractions to 4 places, times in UTC, booleans as true and false.
/// </summary>
/// <param name="Columns">The columns compared, by the names the queries give them.</param>
/// <param name="OrderColumns">
/// The columns the query sorts by whose order is the same in both stores. Rows must come in
/// the order of these values; rows that share them may come in any order, since PostgreSQL and
/// MongoDB sort text differently.
/// </param>
/// <param name="Rows">The expected rows, sorted by <paramref name="OrderColumns"/>.</param>
/// <param name="MongoColumns">The columns compared for MongoDB, when it answers fewer than PostgreSQL.</param>
public sealed record Answer(
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> OrderColumns,
    IReadOnlyList<IReadOnlyDictionary<string, string?>> Rows,
    IReadOnlyList<string>? MongoColumns = null)
{
    /// <summary>Joins the values of a row. Printable, because a control character in a failure message makes the VSTest adapter drop the result.</summary>
    private const string Separator = " ¦ ";

    /// <summary>Fractions within this distance are equal: means may round differently in the two stores.</summary>
    private const decimal FractionTolerance = 0.0001m;

    /// <summary>Builds an answer from rows given as objects, formatting each value with <see cref="Format"/>.</summary>
    public static Answer Of(IReadOnlyList<string> columns, IReadOnlyList<string> orderColumns, IEnumerable<object?[]> rows, IReadOnlyList<string>? mongoColumns = null) =>
        new(columns, orderColumns, [.. rows.Select(values => Row(columns, values))], mongoColumns);

    /// <summary>The first <paramref name="count"/> rows; fails when a row left out ties with the last one kept, since either store may then return either.</summary>
    public static IEnumerable<object?[]> Top(IReadOnlyList<object?[]> sorted, int count, Func<object?[], object?> sortKey)
    {
        if (sorted.Count > count && Equals(sortKey(sorted[count - 1]), sortKey(sorted[count])))
        {
            Assert.Fail($"Rows {count} and {count + 1} tie on the sort key ({sortKey(sorted[count])}), so the limit of {count} picks one at random. Choose a limit without a tie.");
        }

        return sorted.Take(count);
    }

    /// <summary>Formats a value of either store, or of the source JSON, into the compared form.</summary>
    public static string? Format(object? value) => value switch
    {
        null or DBNull => null,
        string text => text,
        bool flag => flag ? "true" : "false",
        int or long or short => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        decimal number => Math.Round(number, 4).ToString("0.####", CultureInfo.InvariantCulture),
        double number => Math.Round((decimal)number, 4).ToString("0.####", CultureInfo.InvariantCulture),
        DateTime time => FormatTime(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))),
        DateTimeOffset time => FormatTime(time),
        _ => throw new ArgumentException($"No compared form for a {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>Fails with the differences when <paramref name="actual"/> is not this answer.</summary>
    public void AssertMatches(IReadOnlyList<IReadOnlyDictionary<string, string?>> actual, string store, string query, bool mongo = false)
    {
        var columns = mongo && MongoColumns is not null ? MongoColumns : Columns;
        var expectedGroups = Group(Rows, columns);
        var actualGroups = Group(actual, columns);
        var problems = new StringBuilder();
        if (expectedGroups.Count != actualGroups.Count)
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"{actual.Count} rows in {actualGroups.Count} sort groups, expected {Rows.Count} rows in {expectedGroups.Count}.");
        }

        for (var i = 0; i < Math.Min(expectedGroups.Count, actualGroups.Count); i++)
        {
            var expected = expectedGroups[i];
            var got = actualGroups[i];
            if (expected.Count != got.Count || !expected.Zip(got).All(pair => SameRow(pair.First, pair.Second)))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"Sort group {i + 1} differs.");
                problems.AppendLine("  expected: " + string.Join(" | ", expected));
                problems.AppendLine("  actual:   " + string.Join(" | ", got));
            }
        }

        if (problems.Length > 0)
        {
            Assert.Fail($"The {store} answer differs from the one computed from the source pages.\n{problems}\nQuery:\n{query}");
        }
    }

    private List<List<string>> Group(IReadOnlyList<IReadOnlyDictionary<string, string?>> rows, IReadOnlyList<string> columns)
    {
        var groups = new List<List<string>>();
        string? previousKey = null;
        foreach (var row in rows)
        {
            var key = string.Join(Separator, OrderColumns.Select(c => Value(row, c)));
            if (groups.Count == 0 || key != previousKey)
            {
                groups.Add([]);
                previousKey = key;
            }

            groups[^1].Add(string.Join(Separator, columns.Select(c => Value(row, c) ?? "(null)")));
        }

        foreach (var group in groups)
        {
            group.Sort(StringComparer.Ordinal);
        }

        return groups;
    }

    private static bool SameRow(string expected, string actual)
    {
        if (expected == actual)
        {
            return true;
        }

        var left = expected.Split(Separator);
        var right = actual.Split(Separator);
        return left.Length == right.Length && left.Zip(right).All(pair => pair.First == pair.Second || CloseFractions(pair.First, pair.Second));
    }

    private static bool CloseFractions(string left, string right) =>
        (left.Contains('.', StringComparison.Ordinal) || right.Contains('.', StringComparison.Ordinal))
        && decimal.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
        && decimal.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
        && Math.Abs(a - b) <= FractionTolerance;

    private static string? Value(IReadOnlyDictionary<string, string?> row, string column) =>
        row.TryGetValue(column, out var value) ? value : null;

    private static Dictionary<string, string?> Row(IReadOnlyList<string> columns, object?[] values)
    {
        Assert.Equal(columns.Count, values.Length);
        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            row[columns[i]] = Format(values[i]);
        }

        return row;
    }

    private static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
