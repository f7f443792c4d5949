using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Tweets;
using Pipeline.GetTweets.Delivery;
using Pipeline.GetTweets.Pages;

namespace Pipeline.GetTweets.Replay;

/// <summary>
/// Reads twarc2 JSONL files (one X API response page per line, plain or gzip) and enqueues their
/// tweets page by page, or, for the <see cref="CollectorOptions.Compliance"/> source, batch compliance
/// results (one result per line) and enqueues a deletion per line. Each file has a checkpoint with
/// the last line committed, so a restart goes on after it. A line that cannot be read is set aside
/// in <c>collector.rejected_lines</c> with its line number, and reading goes on with the next line.
/// </summary>
internal sealed class FileReplay(
    CollectorStore store,
    IOptions<CollectorOptions> options,
    TimeProvider timeProvider,
    ILogger<FileReplay> logger)
{
    /// <summary>
    /// The longest line read as a page, in UTF-16 characters. A page of 100 tweets with every
    /// expansion is a few megabytes, so 16 Mi characters leaves ample room.
    /// </summary>
    internal const int MaxLineCharacters = 16 * 1024 * 1024;

    /// <summary>How much of an over-long line is stored in <c>collector.rejected_lines</c>.</summary>
    internal const int RejectedPreviewCharacters = 64 * 1024;

    /// <summary>The most deletions of compliance result lines committed in one transaction.</summary>
    internal const int MaxDeletionBatch = 1000;

    private readonly CollectorOptions settings = options.Value;

    // The compliance results of the file being read that are not committed yet. A run reads its
    // files one after another, so one batch serves them all.
    private readonly DeletionBatch pendingDeletions = new();

    /// <summary>Reads every file under <see cref="CollectorOptions.Path"/> and returns the counters of the run.</summary>
    public async Task<ReplayProgress> RunAsync(CancellationToken cancellationToken)
    {
        var path = settings.Path!;
        var source = settings.Source!;
        Log.CollectorStarting(logger, source, path);

        var progress = new ReplayProgress(timeProvider, settings.ProgressInterval, logger);
        var files = ReplayFiles.Find(path);
        if (files.Count == 0)
        {
            Log.NoFilesFound(logger, path);
        }

        foreach (var file in files)
        {
            await ReadFileAsync(file, source, progress, cancellationToken);
            progress.Files++;
        }

        progress.LogSummary(source);
        return progress;
    }

    private async Task ReadFileAsync(ReplayFile file, string source, ReplayProgress progress, CancellationToken cancellationToken)
    {
        // Compliance results have their own key, so that reading a file of them never resumes an import's checkpoint.
        var sourceKey = (source == CollectorOptions.Compliance ? "compliance:" : "file:") + file.FullPath;
        var checkpoint = await store.LoadCheckpointAsync(sourceKey, cancellationToken);
        using var reader = ReplayFiles.OpenText(file.FullPath);

        // One line of look-ahead shows whether the current line is the file's last.
        var (line, readError) = await TryReadLineAsync(reader, cancellationToken);
        var fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes(line ?? ""));
        var position = new FilePosition(sourceKey, file, fingerprint, 0);
        if (readError is not null)
        {
            await RejectUnreadableRestAsync(readError, position with { LineNumber = 1 }, progress, cancellationToken);
            return;
        }

        if (line is null)
        {
            return;
        }

        var resumeAfter = ResumeLine(file, checkpoint, fingerprint);
        Log.FileStarted(logger, file.Name, resumeAfter + 1);
        pendingDeletions.Start();
        while (line is not null)
        {
            (var next, readError) = await TryReadLineAsync(reader, cancellationToken);
            position = position with { LineNumber = position.LineNumber + 1 };
            if (position.LineNumber > resumeAfter && !string.IsNullOrWhiteSpace(line))
            {
                await ReadLineAsync(line, isLastLine: next is null, position, source, progress, cancellationToken);
            }

            if (readError is not null)
            {
                await RejectUnreadableRestAsync(readError, position with { LineNumber = position.LineNumber + 1 }, progress, cancellationToken);
                return;
            }

            line = next;
        }

        await CommitDeletionsAsync(progress, cancellationToken);
    }

    // Invalid gzip data ends the file, but not the replay: the lines before it are read, and the rest is recorded as rejected.
    private static async Task<(string? Line, InvalidDataException? Error)> TryReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return (await reader.ReadLineAsync(cancellationToken), null);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex);
        }
    }

    private async Task RejectUnreadableRestAsync(InvalidDataException error, FilePosition position, ReplayProgress progress, CancellationToken cancellationToken) =>
        await RejectAsync("", $"The compressed data from this line on is invalid, so the rest of the file was not read: {error.Message}", isLastLine: true, position, progress, cancellationToken);

    private long ResumeLine(ReplayFile file, Checkpoint? checkpoint, byte[] fingerprint)
    {
        if (checkpoint?.LineNumber is not { } lineNumber)
        {
            return 0;
        }

        if (checkpoint.FileFingerprint is { } stored && stored.AsSpan().SequenceEqual(fingerprint))
        {
            return lineNumber;
        }

        // The seen-tweets table still keeps tweets that were already enqueued from being enqueued twice.
        Log.FileReplaced(logger, file.Name);
        return 0;
    }

    private async Task ReadLineAsync(string line, bool isLastLine, FilePosition position, string source, ReplayProgress progress, CancellationToken cancellationToken)
    {
        var location = $"{position.File.Name} line {position.LineNumber}";
        if (line.Length > MaxLineCharacters)
        {
            // Kept whole, such a line would also exceed what System.Text.Json writes in one value
            // and what a queue message should carry, so only its start is stored for inspection.
            var error = $"The line has {line.Length} characters, more than the {MaxLineCharacters} an X API response page can have; it was not parsed.";
            await RejectAsync(CutPreview(line), error, isLastLine: false, position, progress, cancellationToken);
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            await RejectAsync(line, ex.Message, isLastLine, position, progress, cancellationToken);
            return;
        }

        using (document)
        {
            if (source == CollectorOptions.Compliance)
            {
                await ReadComplianceResultAsync(document.RootElement, line, isLastLine, position, source, progress, cancellationToken);
                return;
            }

            ApiPage page;
            try
            {
                page = ApiPage.Parse(document.RootElement, new CollectionSource(source, position.File.Name), timeProvider.GetUtcNow());
            }
            catch (FormatException ex)
            {
                await RejectAsync(line, ex.Message, isLastLine, position, progress, cancellationToken);
                return;
            }

            var commit = await store.CommitPageAsync(position.SourceKey, position.ToCheckpoint(), page.Tweets, page.Deletions, rejected: null, cancellationToken);
            Log.PageCommitted(logger, location, commit.Tweets, commit.Enqueued);
            PartialErrors.Log(logger, location, page.Errors);
            progress.AddPage(commit, page.Errors.Count);
        }
    }

    // Results commit in batches of up to MaxDeletionBatch lines with the checkpoint of the last, so
    // a large file is not bounded by one commit per line. The first line a run reads commits on its
    // own, so that a rejection stored for it by an earlier run is cleared once it parses.
    private async Task ReadComplianceResultAsync(JsonElement result, string line, bool isLastLine, FilePosition position, string source, ReplayProgress progress, CancellationToken cancellationToken)
    {
        TweetDeletion? deletion;
        try
        {
            deletion = ComplianceResult.Parse(result, new CollectionSource(source, position.File.Name), timeProvider.GetUtcNow());
        }
        catch (FormatException ex)
        {
            await RejectAsync(line, ex.Message, isLastLine, position, progress, cancellationToken);
            return;
        }

        // A result whose action is not delete still moves the checkpoint past its line.
        var isFirstLine = pendingDeletions.Add(deletion, position);
        if (isFirstLine || pendingDeletions.Deletions.Count >= MaxDeletionBatch)
        {
            await CommitDeletionsAsync(progress, cancellationToken);
        }
    }

    private async Task CommitDeletionsAsync(ReplayProgress progress, CancellationToken cancellationToken)
    {
        if (pendingDeletions.LastLine is not { } lastLine)
        {
            return;
        }

        var commit = await store.CommitPageAsync(lastLine.SourceKey, lastLine.ToCheckpoint(), [], pendingDeletions.Deletions, rejected: null, cancellationToken);
        Log.ComplianceResultsCommitted(logger, lastLine.File.Name, lastLine.LineNumber, commit.Deletions, commit.EnqueuedDeletions);
        progress.AddPage(commit, partialErrors: 0);
        pendingDeletions.Clear();
    }

    /// <summary>Returns the first <see cref="RejectedPreviewCharacters"/> characters of a line, never cutting a surrogate pair.</summary>
    internal static string CutPreview(string line)
    {
        if (line.Length <= RejectedPreviewCharacters)
        {
            return line;
        }

        var end = char.IsHighSurrogate(line[RejectedPreviewCharacters - 1]) ? RejectedPreviewCharacters - 1 : RejectedPreviewCharacters;
        return line[..end];
    }

    private async Task RejectAsync(string line, string error, bool isLastLine, FilePosition position, ReplayProgress progress, CancellationToken cancellationToken)
    {
        // The results before this line commit first, so the checkpoint never moves past them.
        await CommitDeletionsAsync(progress, cancellationToken);
        Log.LineRejected(logger, position.File.Name, position.LineNumber, error);

        // An invalid last line may be a page that is still being written: the checkpoint stays
        // before it, so the next run reads it again (and clears the rejection if it then parses).
        var checkpoint = isLastLine ? position.ToCheckpoint() with { LineNumber = position.LineNumber - 1 } : position.ToCheckpoint();
        var rejected = new RejectedLine(position.File.FullPath, position.LineNumber, error, line);
        await store.CommitPageAsync(position.SourceKey, checkpoint, [], [], rejected, cancellationToken);
        progress.AddRejectedLine();
    }

    private sealed record FilePosition(string SourceKey, ReplayFile File, byte[] Fingerprint, long LineNumber)
    {
        public Checkpoint ToCheckpoint() => new(FilePath: File.FullPath, FileFingerprint: Fingerprint, LineNumber: LineNumber);
    }

    /// <summary>The deletions of consecutive compliance result lines, each tweet id once, and the last line read.</summary>
    private sealed class DeletionBatch
    {
        private readonly HashSet<string> ids = new(StringComparer.Ordinal);
        private bool awaitingFirstLine;

        public List<TweetDeletion> Deletions { get; } = [];

        public FilePosition? LastLine { get; private set; }

        /// <summary>Empties the batch at the start of a file.</summary>
        public void Start()
        {
            Clear();
            awaitingFirstLine = true;
        }

        /// <summary>
        /// Adds a line's deletion, or only its position for a line without one, and returns whether it
        /// is the first line of the file that this run reads. A tweet id already in the batch keeps its
        /// first deletion, as the writers keep the first tombstone.
        /// </summary>
        public bool Add(TweetDeletion? deletion, FilePosition position)
        {
            if (deletion is not null && ids.Add(deletion.Id))
            {
                Deletions.Add(deletion);
            }

            LastLine = position;
            var isFirst = awaitingFirstLine;
            awaitingFirstLine = false;
            return isFirst;
        }

        public void Clear()
        {
            Deletions.Clear();
            ids.Clear();
            LastLine = null;
        }
    }
}
