using System.Data.Common;
using System.Runtime.CompilerServices;
using Switchboard.Ledger.Queries;

namespace Switchboard.Ledger.Storage;

/// <summary>
/// The ledger over ADO.NET, the same SQL for SQLite and PostgreSQL (named parameters, <c>ON CONFLICT DO NOTHING</c>,
/// types both read alike). A store says how to connect and how to hold off other writers while it migrates or rolls up
/// a day (<see cref="LockAsync"/>): the only dialect difference.
/// </summary>
internal abstract partial class SqlLedgerStore : ILedgerStore
{
    protected const string RowColumns =
        "time_ms, request_id, session, caller, client_api, operation, agent, requested_model, route, selection, model, provider, fallbacks, attempts, status, error_kind, " +
        "latency_ms, ttfb_ms, stream, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nanousd, router, routing_reason, routing_confidence, routing_ms";

    /// <summary>The row insert; its parameters are numbered 1…29 in <see cref="RowColumns"/> order (SQLite binds them by index).</summary>
    protected static readonly string InsertRow =
        $"INSERT INTO requests ({RowColumns}) VALUES ({string.Join(", ", RowColumns.Split(", ").Select(c => "@" + c))})";

    private const string RollupColumns =
        "day, model, provider, route, caller, agent, session, requests, errors, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, " +
        "cost_nanousd, unpriced_requests, latency_p50_ms, latency_p95_ms, ttfb_p50_ms, generation_tokens, generation_ms, first_ms, last_ms";

    private static readonly string InsertRollup =
        $"INSERT INTO usage_daily ({RollupColumns}) VALUES ({string.Join(", ", RollupColumns.Split(", ").Select(c => "@" + c))}) ON CONFLICT DO NOTHING";

    public abstract string Description { get; }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Holds off other writers of the same ledger (another replica) until <paramref name="transaction"/> ends.</summary>
    protected abstract Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    public virtual async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, LockKeys.Migration, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, LedgerSchema.VersionTable, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, LedgerSchema.CompatTable, cancellationToken).ConfigureAwait(false);
        var current = await ScalarLongAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken).ConfigureAwait(false);
        // A newer build migrated this ledger: use it as it is when every newer migration kept builds like this one working.
        if (current > LedgerSchema.Migrations.Length && await UsableFromAsync(connection, transaction, LedgerSchema.Migrations.Length, cancellationToken).ConfigureAwait(false) <= LedgerSchema.Migrations.Length)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        if (current > LedgerSchema.Migrations.Length)
            throw new LedgerException($"the ledger ({Description}) has schema version {current}, newer than this build knows ({LedgerSchema.Migrations.Length}): upgrade Switchboard, or point ledger at another database.");
        for (var version = (int)current + 1; version <= LedgerSchema.Migrations.Length; version++)
        {
            foreach (var statement in LedgerSchema.Migrations[version - 1])
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            await using var record = Command(connection, transaction, "INSERT INTO schema_version (version, applied_at_ms) VALUES (@version, @at)");
            Add(record, "version", (long)version);
            Add(record, "at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var compat = Command(connection, transaction, "INSERT INTO schema_compat (version, usable_from) VALUES (@version, @from) ON CONFLICT DO NOTHING");
            Add(compat, "version", (long)version);
            Add(compat, "from", (long)LedgerSchema.UsableFrom[version - 1]);
            await compat.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest "usable from" among the migrations after <paramref name="known"/> (a migration not recorded there counts as not usable).</summary>
    private static async Task<long> UsableFromAsync(DbConnection connection, DbTransaction transaction, int known, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            "SELECT COUNT(*), COUNT(c.version), COALESCE(MAX(c.usable_from), 0) FROM schema_version v LEFT JOIN schema_compat c ON c.version = v.version WHERE v.version > @known");
        Add(command, "known", (long)known);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetInt64(1) < reader.GetInt64(0) ? long.MaxValue : reader.GetInt64(2);
    }

    public abstract void Write(ReadOnlySpan<LedgerRow> rows);

    public async Task<int> RollUpAsync(DateOnly beforeDay, CancellationToken cancellationToken)
    {
        var rolled = 0;
        while (await NextDayToRollUpAsync(beforeDay, cancellationToken).ConfigureAwait(false) is { } day)
        {
            await RollUpDayAsync(day, cancellationToken).ConfigureAwait(false);
            rolled++;
        }
        return rolled;
    }

    /// <summary>The earliest day before <paramref name="beforeDay"/> with rows and no rollup.</summary>
    private async Task<DateOnly?> NextDayToRollUpAsync(DateOnly beforeDay, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var from = await ScalarLongAsync(connection, null, "SELECT COALESCE(MAX(day) + 1, -1) FROM rolled_up_days", cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT MIN(time_ms) FROM requests WHERE time_ms >= @from AND time_ms < @before");
        Add(command, "from", from < 0 ? long.MinValue : LedgerSchema.StartMs(LedgerSchema.DayOf(from)));
        Add(command, "before", LedgerSchema.StartMs(beforeDay));
        var first = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return first is null or DBNull ? null : LedgerSchema.DayOfMs(Convert.ToInt64(first));
    }

    private async Task RollUpDayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, LockKeys.Rollup, cancellationToken).ConfigureAwait(false);
        await using (var mark = Command(connection, transaction, "INSERT INTO rolled_up_days (day, rolled_at_ms) VALUES (@day, @at) ON CONFLICT DO NOTHING"))
        {
            Add(mark, "day", LedgerSchema.DayNumber(day));
            Add(mark, "at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                return; // another replica rolled it up meanwhile
        }
        var groups = new Dictionary<(string, string, string, string?, string?, string?), UsageAccumulator>();
        var start = LedgerSchema.StartMs(day);
        await foreach (var row in ReadRowsAsync(connection, transaction, start, LedgerSchema.StartMs(day.AddDays(1)), null, null, cancellationToken).ConfigureAwait(false))
        {
            var key = (row.Model, row.Provider, row.Route, row.Caller, row.Agent, row.Session);
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new UsageAccumulator();
            group.Add(row);
        }
        await using var insert = Command(connection, transaction, InsertRollup);
        foreach (var ((model, provider, route, caller, agent, session), group) in groups)
        {
            var r = group.ToRollup(day, model, provider, route, caller, agent, session);
            insert.Parameters.Clear();
            Add(insert, "day", LedgerSchema.DayNumber(day)); Add(insert, "model", r.Model); Add(insert, "provider", r.Provider); Add(insert, "route", r.Route);
            Add(insert, "caller", r.Caller ?? ""); Add(insert, "agent", r.Agent ?? ""); Add(insert, "session", r.Session ?? "");
            Add(insert, "requests", r.Requests); Add(insert, "errors", r.Errors); Add(insert, "input_tokens", r.InputTokens);
            Add(insert, "cache_read_tokens", r.CacheReadTokens); Add(insert, "cache_write_tokens", r.CacheWriteTokens); Add(insert, "output_tokens", r.OutputTokens);
            Add(insert, "reasoning_tokens", r.ReasoningTokens); Add(insert, "cost_nanousd", r.CostNanoUsd); Add(insert, "unpriced_requests", r.UnpricedRequests);
            Add(insert, "latency_p50_ms", r.LatencyP50Ms); Add(insert, "latency_p95_ms", r.LatencyP95Ms); Add(insert, "ttfb_p50_ms", r.TtfbP50Ms);
            Add(insert, "generation_tokens", r.GenerationTokens); Add(insert, "generation_ms", r.GenerationMs); Add(insert, "first_ms", r.FirstMs); Add(insert, "last_ms", r.LastMs);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> PruneAsync(DateOnly beforeDay, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rolledUntil = await ScalarLongAsync(connection, null, "SELECT COALESCE(MAX(day) + 1, 0) FROM rolled_up_days", cancellationToken).ConfigureAwait(false);
        // Only rows whose day is rolled up go: a year-long query still finds them in the rollups.
        var cutoff = Math.Min(LedgerSchema.StartMs(beforeDay), LedgerSchema.StartMs(LedgerSchema.DayOf(rolledUntil)));
        await using var command = Command(connection, null, "DELETE FROM requests WHERE time_ms < @cutoff");
        Add(command, "cutoff", cutoff);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateOnly?> RolledUpUntilAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var next = await ScalarLongAsync(connection, null, "SELECT COALESCE(MAX(day) + 1, -1) FROM rolled_up_days", cancellationToken).ConfigureAwait(false);
        return next < 0 ? null : LedgerSchema.DayOf(next);
    }

    public async Task<DateOnly?> OldestRowDayAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT MIN(time_ms) FROM requests");
        var first = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return first is null or DBNull ? null : LedgerSchema.DayOfMs(Convert.ToInt64(first));
    }

    public async IAsyncEnumerable<LedgerRow> ReadRowsAsync(long fromMs, long toMs, string? session, int? newestLimit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in ReadRowsAsync(connection, null, fromMs, toMs, session, newestLimit, cancellationToken).ConfigureAwait(false))
            yield return row;
    }

    private static async IAsyncEnumerable<LedgerRow> ReadRowsAsync(DbConnection connection, DbTransaction? transaction, long fromMs, long toMs, string? session, int? newestLimit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sql = $"SELECT {RowColumns} FROM requests WHERE time_ms >= @from AND time_ms < @to"
            + (session is null ? "" : " AND session = @session")
            + (newestLimit is null ? "" : " ORDER BY time_ms DESC LIMIT @limit");
        await using var command = Command(connection, transaction, sql);
        Add(command, "from", fromMs);
        Add(command, "to", toMs);
        if (session is not null) Add(command, "session", session);
        if (newestLimit is { } limit) Add(command, "limit", (long)limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new LedgerRow
            {
                TimeMs = reader.GetInt64(0), RequestId = reader.GetString(1), Session = Str(reader, 2), Caller = Str(reader, 3), ClientApi = reader.GetString(4),
                Operation = reader.GetString(5), Agent = Str(reader, 6), RequestedModel = reader.GetString(7), Route = reader.GetString(8), Selection = reader.GetString(9),
                Model = reader.GetString(10), Provider = reader.GetString(11), Fallbacks = Str(reader, 12), Attempts = (int)reader.GetInt64(13), Status = (int)reader.GetInt64(14),
                ErrorKind = Str(reader, 15), LatencyMs = reader.GetDouble(16), TtfbMs = reader.GetDouble(17), Stream = reader.GetInt64(18) != 0,
                InputTokens = reader.GetInt64(19), CacheReadTokens = reader.GetInt64(20), CacheWriteTokens = reader.GetInt64(21), OutputTokens = reader.GetInt64(22),
                ReasoningTokens = reader.GetInt64(23), CostNanoUsd = reader.IsDBNull(24) ? null : reader.GetInt64(24), Router = Str(reader, 25), RoutingReason = Str(reader, 26),
                RoutingConfidence = reader.IsDBNull(27) ? null : reader.GetDouble(27), RoutingMs = reader.IsDBNull(28) ? null : reader.GetDouble(28),
            };
        }
    }

    public async IAsyncEnumerable<RollupRow> ReadRollupsAsync(DateOnly from, DateOnly until, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (from >= until) yield break;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT {RollupColumns} FROM usage_daily WHERE day >= @from AND day < @until");
        Add(command, "from", LedgerSchema.DayNumber(from));
        Add(command, "until", LedgerSchema.DayNumber(until));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new RollupRow
            {
                Day = LedgerSchema.DayOf(reader.GetInt64(0)), Model = reader.GetString(1), Provider = reader.GetString(2), Route = reader.GetString(3),
                Caller = Empty(reader.GetString(4)), Agent = Empty(reader.GetString(5)), Session = Empty(reader.GetString(6)),
                Requests = reader.GetInt64(7), Errors = reader.GetInt64(8), InputTokens = reader.GetInt64(9), CacheReadTokens = reader.GetInt64(10),
                CacheWriteTokens = reader.GetInt64(11), OutputTokens = reader.GetInt64(12), ReasoningTokens = reader.GetInt64(13), CostNanoUsd = reader.GetInt64(14),
                UnpricedRequests = reader.GetInt64(15), LatencyP50Ms = reader.GetDouble(16), LatencyP95Ms = reader.GetDouble(17), TtfbP50Ms = reader.GetDouble(18),
                GenerationTokens = reader.GetInt64(19), GenerationMs = reader.GetDouble(20), FirstMs = reader.GetInt64(21), LastMs = reader.GetInt64(22),
            };
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /// <summary>Advisory lock keys (PostgreSQL); SQLite's write transaction already excludes other writers.</summary>
    protected static class LockKeys
    {
        public const long Migration = 0x5357_4C45_4447_0001; // "SWLEDG" 1
        public const long Rollup = 0x5357_4C45_4447_0002;
    }

    protected static object Db(string? value) => value is null ? DBNull.Value : value;

    protected static string? Str(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    protected static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarLongAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt64(value);
    }
}

/// <summary>The ledger cannot be used as configured (a newer schema, an unreachable database): said in one sentence.</summary>
internal sealed class LedgerException(string message, Exception? inner = null) : Exception(message, inner);
