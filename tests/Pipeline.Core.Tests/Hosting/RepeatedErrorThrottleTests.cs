using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Hosting;

namespace Pipeline.Core.Tests.Hosting;

public sealed class RepeatedErrorThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    [Fact]
    public void ShouldLog_FirstError_LogsAtOnce()
    {
        var throttle = new RepeatedErrorThrottle(new FakeTimeProvider(), Interval);

        Assert.True(throttle.ShouldLog(new TimeoutException("database unreachable"), out var repeats));
        Assert.Equal(0, repeats);
    }

    [Fact]
    public void ShouldLog_RepeatWithinInterval_IsSkipped()
    {
        var clock = new FakeTimeProvider();
        var throttle = new RepeatedErrorThrottle(clock, Interval);
        throttle.ShouldLog(new TimeoutException("database unreachable"), out _);

        clock.Advance(TimeSpan.FromSeconds(30));

        Assert.False(throttle.ShouldLog(new TimeoutException("database unreachable"), out _));
    }

    [Fact]
    public void ShouldLog_RepeatAfterInterval_LogsSkippedCount()
    {
        var clock = new FakeTimeProvider();
        var throttle = new RepeatedErrorThrottle(clock, Interval);
        throttle.ShouldLog(new TimeoutException("database unreachable"), out _);
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            throttle.ShouldLog(new TimeoutException("database unreachable"), out _);
        }

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.True(throttle.ShouldLog(new TimeoutException("database unreachable"), out var repeats));
        Assert.Equal(5, repeats);
    }

    [Fact]
    public void ShouldLog_DifferentError_LogsAtOnce()
    {
        var throttle = new RepeatedErrorThrottle(new FakeTimeProvider(), Interval);
        throttle.ShouldLog(new TimeoutException("database unreachable"), out _);

        Assert.True(throttle.ShouldLog(new IOException("connection reset"), out var repeats));
        Assert.Equal(0, repeats);
    }

    [Fact]
    public void ShouldLog_AfterReset_LogsAtOnce()
    {
        var throttle = new RepeatedErrorThrottle(new FakeTimeProvider(), Interval);
        throttle.ShouldLog(new TimeoutException("database unreachable"), out _);

        throttle.Reset();

        Assert.True(throttle.ShouldLog(new TimeoutException("database unreachable"), out _));
    }
}
