using MongoDB.Driver;

namespace Pipeline.MongoWriter;

/// <summary>Classifies MongoDB driver exceptions that may pass on their own, so retrying them makes sense.</summary>
internal static class MongoTransient
{
    // Server error codes of a node that is shutting down, stepping down, unreachable or out of
    // time: 6 HostUnreachable, 7 HostNotFound,
    // 50 MaxTimeMSExpired, 89 NetworkTimeout, 91 ShutdownInProgress, 189 PrimarySteppedDown,
    // 262 ExceededTimeLimit, 9001 SocketException, 10107 NotWritablePrimary,
    // 11600 InterruptedAtShutdown, 11602 InterruptedDueToReplStateChange,
    // 13435 NotPrimaryNoSecondaryOk, 13436 NotPrimaryOrSecondary.
    private static readonly HashSet<int> TransientCodes = [6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436];

    /// <summary>
    /// Returns true for lost or refused connections, server selection time-outs, a primary that
    /// stepped down or is recovering, a full connection pool, write concern errors and errors
    /// that the server labels retryable, also when wrapped in another exception. Authentication
    /// failures count as transient because they are a deployment problem, not a bad message.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case MongoConnectionException:
                case MongoNotPrimaryException:
                case MongoNodeIsRecoveringException:
                case MongoWaitQueueFullException:
                case MongoConnectionPoolPausedException:
                case MongoExecutionTimeoutException:
                case MongoWriteConcernException:
                case TimeoutException:
                case MongoBulkWriteException { WriteConcernError: not null }:
                    return true;
                case MongoException labelled when labelled.HasErrorLabel("RetryableWriteError") || labelled.HasErrorLabel("TransientTransactionError"):
                    return true;
                case MongoCommandException command when TransientCodes.Contains(command.Code):
                    return true;
            }
        }

        return false;
    }
}
