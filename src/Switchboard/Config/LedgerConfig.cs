namespace Switchboard.Config;

/// <summary>
/// The usage ledger (<c>ledger:</c>): one row per request, written off the request path. SQLite at <see cref="Path"/>
/// (default: <c>ledger.db</c> in the gateway's state folder), or PostgreSQL when <see cref="Postgres"/> is set, so
/// several replicas write one ledger.
/// </summary>
internal sealed record LedgerConfig
{
    public const int DefaultRetentionDays = 90;

    public bool Enabled { get; init; } = true;
    /// <summary>The SQLite file, as written (relative to the config file's folder); null for the state folder's.</summary>
    public string? Path { get; init; }
    /// <summary>A PostgreSQL connection string (Npgsql's keywords); never logged, since it may hold a password.</summary>
    public SecretValue? Postgres { get; init; }
    /// <summary>Days the per-request rows are kept; daily rollups are kept for good.</summary>
    public int RetentionDays { get; init; } = DefaultRetentionDays;
    public int Line { get; init; }
}
