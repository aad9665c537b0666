using System.Data.Common;
using Npgsql;
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
        builder.NoResetOnClose = true;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Description { get; }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private static readonly string CopyRows = $"COPY requests ({RowColumns}) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// A batch as one binary COPY: one statement and one round trip for all its rows (atomic, like the transaction it
    /// replaces), where an INSERT per row cost a round trip each. Blocking calls: this runs on the ledger's writer thread.
    /// </summary>
    public override void Write(ReadOnlySpan<LedgerRow> rows)
    {
        using var connection = _dataSource.OpenConnection();
        using var import = connection.BeginBinaryImport(CopyRows);
        foreach (ref readonly var row in rows)
        {
            import.StartRow();
            Long(import, row.TimeMs); Text(import, row.RequestId); Text(import, row.Session); Text(import, row.Caller);
            Text(import, row.ClientApi); Text(import, row.Operation); Text(import, row.Agent); Text(import, row.RequestedModel);
            Text(import, row.Route); Text(import, row.Selection); Text(import, row.Model); Text(import, row.Provider);
            Text(import, row.Fallbacks); Long(import, row.Attempts); Long(import, row.Status); Text(import, row.ErrorKind);
            Double(import, row.LatencyMs); Double(import, row.TtfbMs); Long(import, row.Stream ? 1 : 0); Long(import, row.InputTokens);
            Long(import, row.CacheReadTokens); Long(import, row.CacheWriteTokens); Long(import, row.OutputTokens); Long(import, row.ReasoningTokens);
            Long(import, row.CostNanoUsd); Text(import, row.Router); Text(import, row.RoutingReason); Double(import, row.RoutingConfidence);
            Double(import, row.RoutingMs);
        }
        import.Complete();
    }

    private static void Text(NpgsqlBinaryImporter import, string? value)
    {
        if (value is null) import.WriteNull();
        else import.Write(PostgresText(value), NpgsqlDbType.Text);
    }
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

    private static void Long(NpgsqlBinaryImporter import, long? value)
    {
        if (value is { } v) import.Write(v, NpgsqlDbType.Bigint);
        else import.WriteNull();
    }

    private static void Double(NpgsqlBinaryImporter import, double? value)
    {
        if (value is { } v) import.Write(v, NpgsqlDbType.Double);
        else import.WriteNull();
    }

    protected override async Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        Add(command, "key", key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
