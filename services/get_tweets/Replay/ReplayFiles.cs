using System.IO.Compression;
using System.Text;

namespace Pipeline.GetTweets.Replay;

/// <summary>A JSONL file to read: its full path and the name recorded as the tweets' source.</summary>
internal sealed record ReplayFile(string FullPath, string Name);

/// <summary>Finds and opens the JSONL files of a replay or import.</summary>
internal static class ReplayFiles
{
    /// <summary>
    /// Returns the file at <paramref name="path"/>, or the <c>*.jsonl</c> and <c>*.jsonl.gz</c> files
    /// under the folder <paramref name="path"/> and its subfolders, ordered by their path relative to it.
    /// </summary>
    public static List<ReplayFile> Find(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath))
        {
            return [new ReplayFile(fullPath, Path.GetFileName(fullPath))];
        }

        return [.. Directory.EnumerateFiles(fullPath, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase))
            .Select(f => new ReplayFile(f, Path.GetRelativePath(fullPath, f)))
            .OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    /// <summary>Opens a file for reading as UTF-8 text, decompressing it when it starts with the gzip magic bytes.</summary>
    public static StreamReader OpenText(string fullPath)
    {
        var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16, useAsync: true);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            var isGzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            file.Position = 0;
            Stream stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
