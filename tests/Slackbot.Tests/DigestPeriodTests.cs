using System.Globalization;
using Xunit;

namespace Pipeline.Slackbot.Tests;

public sealed class DigestPeriodTests
{
    [Theory]
    [InlineData("2024-01-01T14:37:12Z", 60, "2024-01-01T14:00:00Z")]
    [InlineData("2024-01-01T14:00:00Z", 60, "2024-01-01T14:00:00Z")]
    [InlineData("2024-01-01T14:37:12Z", 15, "2024-01-01T14:30:00Z")]
    [InlineData("2024-01-01T14:37:12Z", 1440, "2024-01-01T00:00:00Z")]
    public void PeriodStartAt_Time_AlignsToInterval(string time, int minutes, string expected)
    {
        var start = DigestWorker.PeriodStartAt(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(minutes));

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), start);
    }
}
