namespace Pipeline.Testing;

/// <summary>Paths of the repository's test data, found from the test's working directory.</summary>
public static class TestData
{
    /// <summary>The repository root: the nearest folder above the test binaries that contains Pipeline.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The absolute path of a file under <c>tests/testdata</c>.</summary>
    public static string Path(string relativePath) => System.IO.Path.Combine(RepositoryRoot, "tests", "testdata", relativePath);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }
}
