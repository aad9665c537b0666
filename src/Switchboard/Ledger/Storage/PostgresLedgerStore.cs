using System.Data.Common;
using Npgsql;

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

    protected override async Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        Add(command, "key", key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
