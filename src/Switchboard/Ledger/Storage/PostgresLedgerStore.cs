using System.Data.Common;
using Npgsql;
using System.Runtime.CompilerServices;
using NpgsqlTypes;

namespace Switchboard.Ledger.Storage;

/// <summary>
/// The ledger in PostgreSQL (<c>ledger.postgres</c>), so several replicas write one ledger: they insert freely, and take
/// a transaction-scoped advisory lock to migrate the schema or roll up a day, so only one does each.
/// </summary>
internal sealed class PostgresLedgerStore : SqlLedgerStore
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresLedgerStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Description { get; }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private static readonly string CopyRows = $"COPY requests ({RowColumns}) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// A batch as one binary COPY: one statement and one round trip for all its rows (atomic, like the transaction it
    /// replaces), where an INSERT per row cost a round trip each.
    /// </summary>
    public override async Task WriteAsync(IReadOnlyList<LedgerRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var import = await connection.BeginBinaryImportAsync(CopyRows, cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await Long(import, row.TimeMs, cancellationToken); await Text(import, row.RequestId, cancellationToken);
            await Text(import, row.Session, cancellationToken); await Text(import, row.Caller, cancellationToken);
            await Text(import, row.ClientApi, cancellationToken); await Text(import, row.Operation, cancellationToken);
            await Text(import, row.Agent, cancellationToken); await Text(import, row.RequestedModel, cancellationToken);
            await Text(import, row.Route, cancellationToken); await Text(import, row.Selection, cancellationToken);
            await Text(import, row.Model, cancellationToken); await Text(import, row.Provider, cancellationToken);
            await Text(import, row.Fallbacks, cancellationToken); await Long(import, row.Attempts, cancellationToken);
            await Long(import, row.Status, cancellationToken); await Text(import, row.ErrorKind, cancellationToken);
            await Double(import, row.LatencyMs, cancellationToken); await Double(import, row.TtfbMs, cancellationToken);
            await Long(import, row.Stream ? 1 : 0, cancellationToken); await Long(import, row.InputTokens, cancellationToken);
            await Long(import, row.CacheReadTokens, cancellationToken); await Long(import, row.CacheWriteTokens, cancellationToken);
            await Long(import, row.OutputTokens, cancellationToken); await Long(import, row.ReasoningTokens, cancellationToken);
            await Long(import, row.CostNanoUsd, cancellationToken); await Text(import, row.Router, cancellationToken);
            await Text(import, row.RoutingReason, cancellationToken); await Double(import, row.RoutingConfidence, cancellationToken);
            await Double(import, row.RoutingMs, cancellationToken);
        }
        await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ConfiguredTaskAwaitable Text(NpgsqlBinaryImporter import, string? value, CancellationToken cancellationToken) =>
        (value is null ? import.WriteNullAsync(cancellationToken) : import.WriteAsync(PostgresText(value), NpgsqlDbType.Text, cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// Text PostgreSQL takes: it refuses NUL characters and Npgsql refuses lone surrogates, and either would fail the
    /// whole batch, so a client's odd model id or session would cost other requests their rows. Each becomes U+FFFD.
    /// </summary>
    internal static string PostgresText(string value)
    {
        var i = 0;
        for (; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0' || char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))) break;
            if (char.IsHighSurrogate(c)) i++;
        }
        if (i == value.Length) return value;
        var text = new System.Text.StringBuilder(value.Length);
        for (var j = 0; j < value.Length; j++)
        {
            var c = value[j];
            if (char.IsHighSurrogate(c) && j + 1 < value.Length && char.IsLowSurrogate(value[j + 1])) { text.Append(c).Append(value[++j]); continue; }
            text.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return text.ToString();
    }

    private static ConfiguredTaskAwaitable Long(NpgsqlBinaryImporter import, long? value, CancellationToken cancellationToken) =>
        (value is { } v ? import.WriteAsync(v, NpgsqlDbType.Bigint, cancellationToken) : import.WriteNullAsync(cancellationToken)).ConfigureAwait(false);

    private static ConfiguredTaskAwaitable Double(NpgsqlBinaryImporter import, double? value, CancellationToken cancellationToken) =>
        (value is { } v ? import.WriteAsync(v, NpgsqlDbType.Double, cancellationToken) : import.WriteNullAsync(cancellationToken)).ConfigureAwait(false);

    protected override async Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        Add(command, "key", key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
