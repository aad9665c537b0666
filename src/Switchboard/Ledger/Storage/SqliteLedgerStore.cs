using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Switchboard.Ledger.Storage;

/// <summary>
/// The ledger in one SQLite file (the default): WAL mode, so the writer's batches and the queries do not block each
/// other; pooled connections; a batch is one transaction.
/// </summary>
internal sealed class SqliteLedgerStore : SqlLedgerStore
{
    // WAL persists in the file; synchronous=NORMAL is per connection (safe with WAL: a crash loses at most the last commits).
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";

    private const int BusyTimeoutMs = 30_000;

    private readonly string _connectionString;

    public SqliteLedgerStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = BusyTimeoutMs / 1000 }.ToString();
    }

    public string Path { get; }

    public override string Description => $"SQLite {Path}";

    /// <summary>Microsoft.Data.Sqlite's async calls run synchronously anyway: one way to open, for the writer thread and the rest.</summary>
    protected override ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Open());
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = Pragmas;
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        await base.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A batch in one transaction, through SQLite's own API on a connection of the writer's own, kept open with its
    /// insert prepared once: each row bound by index (strings as UTF-16 spans, no copies), stepped and reset.
    /// Microsoft.Data.Sqlite's per-execution path (a data reader, a binder and a name lookup per parameter, boxed values)
    /// cost ~40 µs of CPU and ~11 KB per row; a statement prepared per batch on a pooled connection ~7 µs and nothing
    /// allocated per row (bench `probe-ledger`, docs/benchmarks.md). The connection is opened without SQLite's own
    /// mutex (<c>SQLITE_OPEN_NOMUTEX</c>): one caller at a time uses it (the ledger's writer thread), and each of the
    /// ~30 calls per row took and released it. After a failure it is closed, and the next batch opens it again.
    /// </summary>
    public override void Write(ReadOnlySpan<LedgerRow> rows)
    {
        var (db, insert) = _writer ??= OpenWriter();
        try
        {
            Check(db, raw.sqlite3_exec(db, "BEGIN IMMEDIATE"));
            foreach (ref readonly var row in rows)
            {
                Bind(insert, in row);
                var done = raw.sqlite3_step(insert);
                raw.sqlite3_reset(insert);
                if (done != raw.SQLITE_DONE) Check(db, done);
            }
            Check(db, raw.sqlite3_exec(db, "COMMIT"));
        }
        catch
        {
            CloseWriter(); // rolls back what the failed batch began
            throw;
        }
    }

    private (sqlite3 Db, sqlite3_stmt Insert)? _writer;

    private (sqlite3, sqlite3_stmt) OpenWriter()
    {
        var opened = raw.sqlite3_open_v2(Path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
        try
        {
            Check(db, opened);
            Check(db, raw.sqlite3_busy_timeout(db, BusyTimeoutMs)); // a rollup or a feedback write holds the write lock for a moment
            Check(db, raw.sqlite3_exec(db, Pragmas));
            Check(db, raw.sqlite3_prepare_v2(db, InsertRow, out var insert));
            return (db, insert);
        }
        catch
        {
            db?.Dispose();
            throw;
        }
    }

    private void CloseWriter()
    {
        if (_writer is not var (db, insert)) return;
        _writer = null;
        insert.Dispose();
        db.Dispose();
    }

    private static void Bind(sqlite3_stmt s, in LedgerRow row)
    {
        raw.sqlite3_bind_int64(s, 1, row.TimeMs); Text(s, 2, row.RequestId); Text(s, 3, row.Session); Text(s, 4, row.Caller); Text(s, 5, row.ClientApi);
        Text(s, 6, row.Operation); Text(s, 7, row.Agent); Text(s, 8, row.RequestedModel); Text(s, 9, row.Route); Text(s, 10, row.Selection);
        Text(s, 11, row.Model); Text(s, 12, row.Provider); Text(s, 13, row.Fallbacks); raw.sqlite3_bind_int64(s, 14, row.Attempts); raw.sqlite3_bind_int64(s, 15, row.Status);
        Text(s, 16, row.ErrorKind); raw.sqlite3_bind_double(s, 17, row.LatencyMs); raw.sqlite3_bind_double(s, 18, row.TtfbMs); raw.sqlite3_bind_int64(s, 19, row.Stream ? 1 : 0);
        raw.sqlite3_bind_int64(s, 20, row.InputTokens); raw.sqlite3_bind_int64(s, 21, row.CacheReadTokens); raw.sqlite3_bind_int64(s, 22, row.CacheWriteTokens);
        raw.sqlite3_bind_int64(s, 23, row.OutputTokens); raw.sqlite3_bind_int64(s, 24, row.ReasoningTokens);
        if (row.CostNanoUsd is { } cost) raw.sqlite3_bind_int64(s, 25, cost); else raw.sqlite3_bind_null(s, 25);
        Text(s, 26, row.Router); Text(s, 27, row.RoutingReason);
        if (row.RoutingConfidence is { } confidence) raw.sqlite3_bind_double(s, 28, confidence); else raw.sqlite3_bind_null(s, 28);
        if (row.RoutingMs is { } ms) raw.sqlite3_bind_double(s, 29, ms); else raw.sqlite3_bind_null(s, 29);
    }

    private static void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null) raw.sqlite3_bind_null(statement, index);
        else raw.sqlite3_bind_text16(statement, index, value.AsSpan());
    }

    private static void Check(sqlite3? db, int result)
    {
        if (result != raw.SQLITE_OK) throw new SqliteException(db is null ? $"SQLite error {result}" : raw.sqlite3_errmsg(db).utf8_to_string(), result);
    }

    /// <summary>A SQLite write transaction (BEGIN IMMEDIATE, Microsoft.Data.Sqlite's default) already excludes other writers.</summary>
    protected override Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken) => Task.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        CloseWriter(); // the writer thread has ended: nothing writes any more
        // Pooled connections keep the file open (and its WAL unmerged) until cleared.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
