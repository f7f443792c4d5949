using Microsoft.Extensions.Logging;
using Pipeline.Core.Tweets;

namespace Pipeline.MongoWriter;

/// <summary>Log messages of the Mongo writer; event ids 4000-4999.</summary>
internal static partial class MongoWriterLog
{
    [LoggerMessage(4000, LogLevel.Information, "Writing tweets to MongoDB database {Database} on {Servers}")]
    public static partial void Connecting(ILogger logger, string database, string servers);

    [LoggerMessage(4001, LogLevel.Information, "Indexes of {Database}.{Collection} are ready: {Fields}")]
    public static partial void IndexesReady(ILogger logger, string database, string collection, string fields);

    [LoggerMessage(4002, LogLevel.Information, "Wrote a batch of {MessageCount} messages: {Written} tweets stored, {AlreadyNewer} older than the stored observation, {Failed} failed, {Users} users stored")]
    public static partial void BatchWritten(ILogger logger, int messageCount, int written, int alreadyNewer, int failed, int users);

    [LoggerMessage(4010, LogLevel.Information, "Applied deletions in {Mode} mode: {Deletions} deletion messages, {Applied} tombstones applied to stored tweets, {DeletedOnArrival} tweets of the batch already deleted")]
    public static partial void DeletionsApplied(ILogger logger, int deletions, int applied, int deletedOnArrival, DeletionMode mode);

    [LoggerMessage(4020, LogLevel.Information, "Rescore starting: about {OutdatedCount} tweet documents have sentiment scores of another lexicon than {LexiconVersion} or none; {BatchSize} per batch")]
    public static partial void RescoreStarting(ILogger logger, long outdatedCount, string lexiconVersion, int batchSize);

    [LoggerMessage(4021, LogLevel.Information, "Rescored {ExaminedCount} of about {OutdatedCount} tweet documents, up to _id {LastTweetId}")]
    public static partial void RescoreProgress(ILogger logger, long examinedCount, long outdatedCount, string lastTweetId);

    [LoggerMessage(4022, LogLevel.Information, "Rescore finished: wrote scores of lexicon {LexiconVersion} for {RescoredCount} tweet documents and left {SkippedCount} that the writer had scored meanwhile, in {Elapsed} ({TweetsPerSecond} documents/s)")]
    public static partial void RescoreFinished(ILogger logger, long rescoredCount, long skippedCount, string lexiconVersion, TimeSpan elapsed, double tweetsPerSecond);

    [LoggerMessage(4023, LogLevel.Warning, "Rescore stopped before it finished; the batches written so far are kept, and running `mongo-writer rescore` again continues with the rest")]
    public static partial void RescoreStopped(ILogger logger);
}
