using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace Pipeline.MongoWriter;

/// <summary>
/// Settings of the MongoDB connection: the database from the <c>Mongo</c> configuration section
/// and the connection string from <c>ConnectionStrings:Mongo</c>.
/// </summary>
internal sealed class MongoOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Mongo";

    /// <summary>The name under <c>ConnectionStrings</c> of the MongoDB connection string.</summary>
    public const string ConnectionStringName = "Mongo";

    /// <summary>The default database name.</summary>
    public const string DefaultDatabase = "pipeline";

    /// <summary>The database that contains the <c>tweets</c> and <c>users</c> collections.</summary>
    public string Database { get; set; } = DefaultDatabase;

    /// <summary>A <c>mongodb://</c> or <c>mongodb+srv://</c> connection string. It may contain a password, so it is never logged.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Checks <see cref="MongoOptions"/> at start. Each error names the setting and its value, with credentials removed.</summary>
internal sealed partial class MongoOptionsValidator : IValidateOptions<MongoOptions>
{
    // MongoDB requires database names of fewer than 64 characters (checked here as UTF-8 bytes),
    // without the characters that Windows deployments reject, a superset of those Linux rejects.
    private const int MaxDatabaseNameBytes = 63;
    private static readonly SearchValues<char> InvalidDatabaseNameCharacters = SearchValues.Create("/\\. \"$*<>:|?\0");

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MongoOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("ConnectionStrings:Mongo is missing: set the environment variable ConnectionStrings__Mongo to a MongoDB connection string such as mongodb://mongo:27017.");
        }
        else
        {
            try
            {
                _ = MongoUrl.Create(options.ConnectionString);
            }
            catch (MongoConfigurationException)
            {
                errors.Add($"ConnectionStrings:Mongo ('{RedactCredentials(options.ConnectionString)}') is not a valid MongoDB connection string: expected mongodb://[user:password@]host[:port][,host...][/database][?options] or mongodb+srv://.");
            }
        }

        var database = options.Database;
        if (string.IsNullOrEmpty(database)
            || Encoding.UTF8.GetByteCount(database) > MaxDatabaseNameBytes
            || database.AsSpan().IndexOfAny(InvalidDatabaseNameCharacters) >= 0)
        {
            errors.Add($"Mongo:Database is '{database}'; it must be 1 to {MaxDatabaseNameBytes} bytes without spaces or any of / \\ . \" $ * < > : | ?.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Replaces the user name and password of a connection string with <c>***</c>.</summary>
    public static string RedactCredentials(string connectionString) => UserInfo().Replace(connectionString, "://***@");

    [GeneratedRegex("://[^@/?]*@")]
    private static partial Regex UserInfo();
}
