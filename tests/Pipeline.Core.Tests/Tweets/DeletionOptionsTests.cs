using Pipeline.Core.Tweets;

namespace Pipeline.Core.Tests.Tweets;

public sealed class DeletionOptionsTests
{
    [Theory]
    [InlineData("flag", DeletionMode.Flag)]
    [InlineData("FLAG", DeletionMode.Flag)]
    [InlineData("remove", DeletionMode.Remove)]
    [InlineData("Remove", DeletionMode.Remove)]
    public void Validate_KnownMode_Succeeds(string mode, DeletionMode expected)
    {
        var options = new DeletionOptions { Mode = mode };

        var result = new DeletionOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.Equal(expected, options.SelectedMode);
    }

    [Fact]
    public void Default_IsFlag()
    {
        Assert.Equal(DeletionMode.Flag, new DeletionOptions().SelectedMode);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("")]
    [InlineData("flag ")]
    public void Validate_UnknownMode_NamesValue(string mode)
    {
        var result = new DeletionOptionsValidator().Validate(null, new DeletionOptions { Mode = mode });

        Assert.True(result.Failed);
        Assert.Contains($"'{mode}'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Deletions__Mode", result.FailureMessage, StringComparison.Ordinal);
    }
}
