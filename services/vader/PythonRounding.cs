namespace Pipeline.Vader;

/// <summary>
/// Decimal rounding with the result of Python's <c>round(x, digits)</c>, which the reference
/// implementation applies to its scores.
/// </summary>
/// <remarks>
/// Python rounds the exact binary value of <c>x</c>, half to even, so <c>round(2.675, 2)</c>
/// is 2.67 because the double nearest 2.675 lies below it. <see cref="Math.Round(double, int)"/>
/// scales first and returns 2.68. The fast path here scales too, and falls back to exact integer
/// arithmetic when the scaled value is too close to a midpoint for the scaling error to be ruled out.
/// </remarks>
internal static class PythonRounding
{
    private const double MaxExactlyScaled = 4503599627370496.0; // 2^52

    private static readonly double[] PowersOfTen = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    /// <summary>
    /// Rounds <paramref name="value"/> to <paramref name="digits"/> decimals (0 to 9) as Python does.
    /// </summary>
    /// <remarks>
    /// NOTE: a value whose scaled magnitude reaches 2^52 is returned unchanged, while Python may
    /// move it by one unit in the last place. Scores lie between -1 and 1 and never get there.
    /// </remarks>
    public static double Round(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(digits, PowersOfTen.Length);

        var scale = PowersOfTen[digits];
        var scaled = value * scale;
        if (!double.IsFinite(scaled) || Math.Abs(scaled) >= MaxExactlyScaled)
        {
            return value;
        }

        // The product carries a relative error of at most 2^-53, far below this margin.
        var distanceFromMidpoint = Math.Abs(scaled - Math.Floor(scaled) - 0.5);
        var margin = Math.Max(Math.Abs(scaled), 1.0) * 1e-12;
        if (distanceFromMidpoint > margin)
        {
            return Math.Round(scaled, MidpointRounding.ToEven) / scale;
        }

        return RoundExactly(value, digits, scale);
    }

    private static double RoundExactly(double value, int digits, double scale)
    {
        // |value| = mantissa * 2^exponent exactly, so |value| * 10^digits = mantissa * 10^digits * 2^exponent.
        // The product of a 53-bit mantissa and at most 10^9 needs 83 bits, so it fits in UInt128,
        // which needs no allocation.
        var bits = BitConverter.DoubleToInt64Bits(value);
        var biasedExponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = (ulong)(bits & 0xF_FFFF_FFFF_FFFFL);
        int exponent;
        if (biasedExponent == 0)
        {
            exponent = -1074;
        }
        else
        {
            mantissa |= 1UL << 52;
            exponent = biasedExponent - 1075;
        }

        // Round has sent every value of at least 2^52 elsewhere, so the binary point lies inside
        // or left of the mantissa. From a shift of 128 on, the product is below half a unit.
        var shift = -exponent;
        if (shift >= 128)
        {
            return value < 0 ? -0.0 : 0.0;
        }

        var numerator = (UInt128)mantissa * (ulong)PowersOfTen[digits];
        var quotient = numerator >> shift;
        var remainder = numerator - (quotient << shift);
        var half = UInt128.One << (shift - 1);
        var roundUp = remainder > half || (remainder == half && (quotient & UInt128.One) != UInt128.Zero);
        var rounded = roundUp ? quotient + 1 : quotient;

        // The rounded integer is below 2^53 here, so the conversion is exact and the division
        // returns the double nearest rounded / 10^digits, as Python's string round trip does.
        var magnitude = (double)rounded / scale;
        return value < 0 ? -magnitude : magnitude;
    }
}
