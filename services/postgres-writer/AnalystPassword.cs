using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Pipeline.PostgresWriter;

/// <summary>Database settings of the Postgres writer, bound from the configuration section <c>Database</c>.</summary>
internal sealed class DatabaseOptions
{
    /// <summary>The configuration section, set by environment variables such as <c>Database__AnalystPassword</c>.</summary>
    public const string SectionName = "Database";

    /// <summary>
    /// The login password of the read-only <c>analyst</c> role. Empty or unset means the role
    /// cannot log in. A secret: it is never logged.
    /// </summary>
    public string? AnalystPassword { get; set; }

    /// <summary>
    /// A file that contains the analyst's password instead, such as a Docker secret under
    /// <c>/run/secrets</c>, so the password stays out of the environment. A trailing line break is ignored.
    /// </summary>
    public string? AnalystPasswordFile { get; set; }

    /// <summary>Returns the password from <see cref="AnalystPassword"/> or from the file of <see cref="AnalystPasswordFile"/>; null when neither is set.</summary>
    public string? ReadAnalystPassword() =>
        string.IsNullOrEmpty(AnalystPasswordFile)
            ? AnalystPassword
            : File.ReadAllText(AnalystPasswordFile).TrimEnd('\r', '\n');
}

/// <summary>Checks the Database settings at start. Messages name the setting and never print the password.</summary>
internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (string.IsNullOrEmpty(options.AnalystPasswordFile))
        {
            return ValidateOptionsResult.Success;
        }

        if (!string.IsNullOrEmpty(options.AnalystPassword))
        {
            return ValidateOptionsResult.Fail("Both Database:AnalystPassword and Database:AnalystPasswordFile are set: set only one of Database__AnalystPassword and Database__AnalystPasswordFile.");
        }

        try
        {
            options.ReadAnalystPassword();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"Database:AnalystPasswordFile '{options.AnalystPasswordFile}' cannot be read ({ex.GetType().Name}): set Database__AnalystPasswordFile to a readable file that contains the analyst's password.");
        }

        return ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Sets the <c>analyst</c> role's login at start, after the <c>tweets</c> migrations created the
/// role: a password and LOGIN when <see cref="DatabaseOptions.AnalystPassword"/> or its file is set, NOLOGIN
/// and no password otherwise. Register it after the migrations, because hosted services start in
/// registration order.
/// </summary>
internal sealed class AnalystPassword(
    NpgsqlDataSource dataSource,
    IOptions<DatabaseOptions> options,
    ILogger<AnalystPassword> logger) : IHostedService
{
    // The password travels as a bound parameter into a transaction-local setting, and the
    // statement is built from it on the server with format('%L'), which quotes it as a literal,
    // so no SQL text that this process sends contains it. PostgreSQL hashes it with its
    // password_encryption setting (SCRAM-SHA-256 by default since PostgreSQL 14).
    // NOTE: with log_statement = 'all' the server logs bound parameters, this password among them.
    // The setting is local to the transaction, so it is gone after the commit.
    private const string StorePassword = "select set_config('pipeline.analyst_password', @Password, true)";

    private const string SetLogin = """
        do $$
        begin
            execute format('alter role analyst with login password %L', current_setting('pipeline.analyst_password'));
        end
        $$
        """;

    private const string DisableLogin = "alter role analyst with nologin password null";

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var password = options.Value.ReadAnalystPassword();
        var enabled = !string.IsNullOrEmpty(password);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (enabled)
        {
            await connection.ExecuteAsync(new CommandDefinition(StorePassword, new { Password = password }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(SetLogin, transaction: transaction, cancellationToken: cancellationToken));
        }
        else
        {
            await connection.ExecuteAsync(new CommandDefinition(DisableLogin, transaction: transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);

        if (enabled)
        {
            Log.AnalystLoginEnabled(logger);
        }
        else
        {
            Log.AnalystLoginDisabled(logger);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
