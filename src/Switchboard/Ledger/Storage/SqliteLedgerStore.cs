using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Switchboard.Ledger.Storage;

/// <summary>
/// The ledger in one SQLite file (the default): WAL mode, so the writer's batches and the queries do not block each
/// other; pooled connections; a batch is one transaction.
/// </summary>
internal sealed class SqliteLedgerStore : SqlLedgerStore
{
    private readonly string _connectionString;

    public SqliteLedgerStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public string Path { get; }

    public override string Description => $"SQLite {Path}";

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // WAL persists in the file; synchronous=NORMAL is per connection (safe with WAL: a crash loses at most the last commits).
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        await base.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A SQLite write transaction (BEGIN IMMEDIATE, Microsoft.Data.Sqlite's default) already excludes other writers.</summary>
    protected override Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken) => Task.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open (and its WAL unmerged) until cleared.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
