using System.Net.Sockets;
using Npgsql;

namespace Pipeline.Core.Hosting;

/// <summary>Classifies exceptions that may pass on their own, so retrying them makes sense.</summary>
public static class Transient
{
    /// <summary>
    /// Returns true for PostgreSQL and network failures that a retry can cure: those Npgsql marks
    /// transient (connection loss, server shutdown, too many connections, serialization failures),
    /// time-outs and socket errors, also when wrapped in another exception.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { IsTransient: true }
                or TimeoutException
                or SocketException
                or IOException
                or HttpRequestException)
            {
                return true;
            }

            // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now: a restarting server.
            if (current is PostgresException { SqlState: "57P01" or "57P02" or "57P03" })
            {
                return true;
            }
        }

        return false;
    }
}
