using Pipeline.GetTweets.Search;
using Xunit;

namespace Pipeline.GetTweets.Tests;

public sealed class SearchRequestTests
{
    private static readonly DateTimeOffset Start = new(2021, 5, 12, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2021, 5, 19, 12, 30, 15, TimeSpan.FromHours(2));

    [Fact]
    public void SourceKey_WithoutRange_IsSourceAndQuery()
    {
        var search = new SearchRequest(SearchEndpoint.Recent, "#brexit", null, null, null, null, 100);

        Assert.Equal("recent_search:#brexit", search.SourceKey);
    }

    [Fact]
    public void SourceKey_WithRange_NamesRange()
    {
        var search = new SearchRequest(SearchEndpoint.FullArchive, "#brexit", Start, End, null, null, 500);

        Assert.Equal("full_archive_search:#brexit [start_time=2021-05-12T00:00:00Z, end_time=2021-05-19T10:30:15Z]", search.SourceKey);
    }

    [Fact]
    public void Build_SinceId_ReplacesStartTime()
    {
        var search = new SearchRequest(SearchEndpoint.Recent, "#brexit", Start, null, null, null, 100);

        var query = QueryOf(search.Build(sinceId: 1394735776701816833, nextToken: null));

        Assert.Equal("1394735776701816833", query["since_id"]);
        Assert.False(query.ContainsKey("start_time"));
    }

    [Fact]
    public void Build_FullArchiveWithoutStart_StartsAtFirstPost()
    {
        var search = new SearchRequest(SearchEndpoint.FullArchive, "#brexit", null, null, null, null, 100);

        Assert.Equal("2006-03-21T00:00:00Z", QueryOf(search.Build(null, null))["start_time"]);
    }

    [Fact]
    public void Build_FullArchiveWithUntilId_SendsNoDefaultStart()
    {
        var search = new SearchRequest(SearchEndpoint.FullArchive, "#brexit", null, null, null, 1394735776701816833, 100);

        var query = QueryOf(search.Build(null, null));

        Assert.False(query.ContainsKey("start_time"));
        Assert.Equal("1394735776701816833", query["until_id"]);
    }

    [Fact]
    public void Build_RecentWithoutStart_SendsNoStart()
    {
        var search = new SearchRequest(SearchEndpoint.Recent, "#brexit", null, null, null, null, 100);

        Assert.False(QueryOf(search.Build(null, null)).ContainsKey("start_time"));
    }

    [Fact]
    public void Build_EndTime_InUtcWholeSeconds()
    {
        var search = new SearchRequest(SearchEndpoint.Recent, "#brexit", null, End.AddMilliseconds(900), null, null, 100);

        Assert.Equal("2021-05-19T10:30:15Z", QueryOf(search.Build(null, null))["end_time"]);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void IsBounded_EndTimeOrUntilId(bool hasEndTime, bool hasUntilId, bool expected)
    {
        var search = new SearchRequest(SearchEndpoint.FullArchive, "#brexit", Start, hasEndTime ? End : null, null, hasUntilId ? 1394735776701816833 : null, 100);

        Assert.Equal(expected, search.IsBounded);
    }

    private static Dictionary<string, string> QueryOf(string relativeUri) =>
        relativeUri[(relativeUri.IndexOf('?', StringComparison.Ordinal) + 1)..]
            .Split('&')
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => Uri.UnescapeDataString(pair[1]));
}
