using Pipeline.Vader;
using Xunit;

namespace Vader.Tests;

/// <summary>
/// Expected values are those of Python 3.11's round(value, digits), which rounds the exact
/// binary value half to even.
/// </summary>
public sealed class PythonRoundingTests
{
    [Theory]
    [InlineData(2.675, 2, 2.67)] // 2.675 is stored as 2.67499999..., which Math.Round scales up to 2.68.
    [InlineData(0.0625, 3, 0.062)] // exact tie, rounds to even
    [InlineData(0.9375, 3, 0.938)] // exact tie, rounds to even
    [InlineData(0.0635, 3, 0.064)]
    [InlineData(1.0005, 3, 1.0)]
    [InlineData(-0.00005, 4, -0.0001)]
    [InlineData(0.12345, 4, 0.1235)]
    [InlineData(0.49166666666666664, 3, 0.492)]
    [InlineData(-0.58594, 4, -0.5859)]
    [InlineData(0.0, 3, 0.0)]
    [InlineData(5e-324, 3, 0.0)] // smallest subnormal, below half a unit at any precision
    public void Round_MatchesPythonRound(double value, int digits, double expected) =>
        Assert.Equal(expected, PythonRounding.Round(value, digits));

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void Round_DigitsOutOfRange_Throws(int digits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonRounding.Round(0.5, digits));
}
