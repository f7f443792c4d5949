namespace Queue.Benchmarks;

/// <summary>Facts about the machine for the results, read from Linux's /proc.</summary>
internal static class MachineInfo
{
    /// <summary>Returns the processor count, the CPU model name and the memory size.</summary>
    public static string Describe()
    {
        var model = ReadField("/proc/cpuinfo", "model name") ?? "unknown CPU model";
        var memory = ReadField("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], out var kilobytes)
            ? $"{kilobytes / 1024.0 / 1024.0:N1} GiB memory"
            : "unknown memory";
        return $"{Environment.ProcessorCount} processors, {model}, {memory}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    /// <summary>Returns the 1, 5 and 15 minute load averages as /proc/loadavg gives them.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Returns <paramref name="relativePath"/> in the repository that contains this program (the folder with Pipeline.sln), or null.</summary>
    public static string? FindInRepository(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return Path.Combine(directory.FullName, relativePath);
            }
        }

        return null;
    }

    private static string? ReadField(string path, string name)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path)
            .Where(line => line.StartsWith(name, StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();
    }
}
