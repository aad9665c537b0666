using System.Data.Common;
using System.Text;
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
    /// inserts prepared once: rows go <see cref="RowsPerInsert"/> to a statement (<c>INSERT … VALUES (…), (…), …</c>),
    /// the rest one by one, each value bound by index, strings as UTF-8. Microsoft.Data.Sqlite's per-execution path (a
    /// data reader, a binder and a name lookup per parameter, boxed values) cost ~40 µs of CPU and ~11 KB per row; one
    /// statement per row, prepared once, ~6 µs and nothing allocated. A statement per 16 rows opens the table's and its
    /// indexes' cursors once for all of them, and UTF-8 bound is stored as it is, where UTF-16 was translated by SQLite
    /// (~10 % of its work): docs/benchmarks.md. The connection is opened without SQLite's own mutex
    /// (<c>SQLITE_OPEN_NOMUTEX</c>): one caller at a time uses it (the ledger's writer thread), and each of the ~30
    /// calls per row took and released it. After a failure it is closed, and the next batch opens it again.
    /// </summary>
    public override void Write(ReadOnlySpan<LedgerRow> rows)
    {
        var writer = _writer ??= OpenWriter();
        try
        {
            Check(writer.Db, raw.sqlite3_exec(writer.Db, "BEGIN IMMEDIATE"));
            var at = 0;
            for (; rows.Length - at >= RowsPerInsert; at += RowsPerInsert)
            {
                for (var i = 0; i < RowsPerInsert; i++) Bind(writer.InsertMany, i * Columns, in rows[at + i]);
                Step(writer.Db, writer.InsertMany);
            }
            for (; at < rows.Length; at++)
            {
                Bind(writer.InsertOne, 0, in rows[at]);
                Step(writer.Db, writer.InsertOne);
            }
            Check(writer.Db, raw.sqlite3_exec(writer.Db, "COMMIT"));
        }
        catch
        {
            CloseWriter(); // rolls back what the failed batch began
            throw;
        }
    }

    /// <summary>Rows per multi-row INSERT: the cursors' opening shared by 16 rows, 464 values bound (SQLite allows 32,766).</summary>
    internal const int RowsPerInsert = 16;

    private const int Columns = 29;

    /// <summary><see cref="RowsPerInsert"/> rows of values numbered ?1…?464, row after row in <see cref="SqlLedgerStore.RowColumns"/> order.</summary>
    private static readonly string InsertRows = $"INSERT INTO requests ({RowColumns}) VALUES " + string.Join(", ",
        Enumerable.Range(0, RowsPerInsert).Select(r => "(" + string.Join(", ", Enumerable.Range(r * Columns + 1, Columns).Select(n => "?" + n)) + ")"));

    private sealed class Writer(sqlite3 db, sqlite3_stmt insertOne, sqlite3_stmt insertMany)
    {
        public sqlite3 Db { get; } = db;
        public sqlite3_stmt InsertOne { get; } = insertOne;
        public sqlite3_stmt InsertMany { get; } = insertMany;
        /// <summary>Where each string is made UTF-8 before it is bound (SQLite copies it): grown to the longest, kept.</summary>
        public byte[] Utf8 { get; set; } = new byte[256];
    }

    private Writer? _writer;

    private Writer OpenWriter()
    {
        var opened = raw.sqlite3_open_v2(Path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
        sqlite3_stmt? one = null;
        try
        {
            Check(db, opened);
            Check(db, raw.sqlite3_busy_timeout(db, BusyTimeoutMs)); // a rollup or a feedback write holds the write lock for a moment
            Check(db, raw.sqlite3_exec(db, Pragmas));
            Check(db, raw.sqlite3_prepare_v2(db, InsertRow, out one));
            Check(db, raw.sqlite3_prepare_v2(db, InsertRows, out var many));
            return new Writer(db, one, many);
        }
        catch
        {
            one?.Dispose();
            db?.Dispose();
            throw;
        }
    }

    private void CloseWriter()
    {
        if (_writer is not { } writer) return;
        _writer = null;
        writer.InsertOne.Dispose();
        writer.InsertMany.Dispose();
        writer.Db.Dispose();
    }

    private static void Step(sqlite3 db, sqlite3_stmt statement)
    {
        var done = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (done != raw.SQLITE_DONE) Check(db, done);
    }

    /// <summary>One row's 29 values, at <paramref name="at"/>+1…<paramref name="at"/>+29.</summary>
    private void Bind(sqlite3_stmt s, int at, in LedgerRow row)
    {
        raw.sqlite3_bind_int64(s, at + 1, row.TimeMs); Text(s, at + 2, row.RequestId); Text(s, at + 3, row.Session); Text(s, at + 4, row.Caller);
        Text(s, at + 5, row.ClientApi); Text(s, at + 6, row.Operation); Text(s, at + 7, row.Agent); Text(s, at + 8, row.RequestedModel);
        Text(s, at + 9, row.Route); Text(s, at + 10, row.Selection); Text(s, at + 11, row.Model); Text(s, at + 12, row.Provider);
        Text(s, at + 13, row.Fallbacks); raw.sqlite3_bind_int64(s, at + 14, row.Attempts); raw.sqlite3_bind_int64(s, at + 15, row.Status);
        Text(s, at + 16, row.ErrorKind); raw.sqlite3_bind_double(s, at + 17, row.LatencyMs); raw.sqlite3_bind_double(s, at + 18, row.TtfbMs);
        raw.sqlite3_bind_int64(s, at + 19, row.Stream ? 1 : 0); raw.sqlite3_bind_int64(s, at + 20, row.InputTokens);
        raw.sqlite3_bind_int64(s, at + 21, row.CacheReadTokens); raw.sqlite3_bind_int64(s, at + 22, row.CacheWriteTokens);
        raw.sqlite3_bind_int64(s, at + 23, row.OutputTokens); raw.sqlite3_bind_int64(s, at + 24, row.ReasoningTokens);
        if (row.CostNanoUsd is { } cost) raw.sqlite3_bind_int64(s, at + 25, cost); else raw.sqlite3_bind_null(s, at + 25);
        Text(s, at + 26, row.Router); Text(s, at + 27, row.RoutingReason);
        if (row.RoutingConfidence is { } confidence) raw.sqlite3_bind_double(s, at + 28, confidence); else raw.sqlite3_bind_null(s, at + 28);
        if (row.RoutingMs is { } ms) raw.sqlite3_bind_double(s, at + 29, ms); else raw.sqlite3_bind_null(s, at + 29);
    }

    private void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(statement, index);
            return;
        }
        var writer = _writer!;
        if (Encoding.UTF8.GetMaxByteCount(value.Length) > writer.Utf8.Length) writer.Utf8 = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var length = Encoding.UTF8.GetBytes(value, writer.Utf8); // a lone surrogate becomes U+FFFD
        raw.sqlite3_bind_text(statement, index, writer.Utf8.AsSpan(0, length));
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
