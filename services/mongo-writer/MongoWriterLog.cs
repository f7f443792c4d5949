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
}
