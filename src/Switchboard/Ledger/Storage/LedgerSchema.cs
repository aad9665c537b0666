namespace Switchboard.Ledger.Storage;

/// <summary>
/// The ledger's schema, as numbered migrations applied in order at start and recorded in <c>schema_version</c>. The
/// DDL is written once for both stores: only types both read the same way (TEXT, BIGINT, DOUBLE PRECISION); what
/// differs (locking while migrating) lives in each store. Never edit a shipped migration: add the next one.
/// </summary>
internal static class LedgerSchema
{
    public static readonly string[][] Migrations =
    [
        // 1: the per-request rows, the daily rollups and which days are rolled up.
        [
            """
            CREATE TABLE requests (
                time_ms BIGINT NOT NULL,
                request_id TEXT NOT NULL,
                session TEXT,
                caller TEXT,
                client_api TEXT NOT NULL,
                operation TEXT NOT NULL,
                agent TEXT,
                requested_model TEXT NOT NULL,
                route TEXT NOT NULL,
                selection TEXT NOT NULL,
                model TEXT NOT NULL,
                provider TEXT NOT NULL,
                fallbacks TEXT,
                attempts BIGINT NOT NULL,
                status BIGINT NOT NULL,
                error_kind TEXT,
                latency_ms DOUBLE PRECISION NOT NULL,
                ttfb_ms DOUBLE PRECISION NOT NULL,
                stream BIGINT NOT NULL,
                input_tokens BIGINT NOT NULL,
                cache_read_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL,
                cost_nanousd BIGINT,
                router TEXT,
                routing_reason TEXT,
                routing_confidence DOUBLE PRECISION,
                routing_ms DOUBLE PRECISION
            )
            """,
            "CREATE INDEX requests_time ON requests (time_ms)",
            "CREATE INDEX requests_session ON requests (session, time_ms)",
            """
            CREATE TABLE usage_daily (
                day BIGINT NOT NULL,
                model TEXT NOT NULL,
                provider TEXT NOT NULL,
                route TEXT NOT NULL,
                caller TEXT NOT NULL,
                agent TEXT NOT NULL,
                session TEXT NOT NULL,
                requests BIGINT NOT NULL,
                errors BIGINT NOT NULL,
                input_tokens BIGINT NOT NULL,
                cache_read_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL,
                cost_nanousd BIGINT NOT NULL,
                unpriced_requests BIGINT NOT NULL,
                latency_p50_ms DOUBLE PRECISION NOT NULL,
                latency_p95_ms DOUBLE PRECISION NOT NULL,
                ttfb_p50_ms DOUBLE PRECISION NOT NULL,
                generation_tokens BIGINT NOT NULL,
                generation_ms DOUBLE PRECISION NOT NULL,
                first_ms BIGINT NOT NULL,
                last_ms BIGINT NOT NULL,
                PRIMARY KEY (day, model, provider, route, caller, agent, session)
            )
            """,
            "CREATE TABLE rolled_up_days (day BIGINT PRIMARY KEY, rolled_at_ms BIGINT NOT NULL)",
        ],
        // 2: the routing feedback (corrections and ratings, issue #17), shared by every replica of one ledger. The whole
        // record is kept as JSON; the columns beside it are what queries group by. The key makes an import idempotent.
        [
            """
            CREATE TABLE feedback (
                time_ms BIGINT NOT NULL,
                request_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                policy TEXT NOT NULL,
                model TEXT,
                rating TEXT,
                record TEXT NOT NULL,
                PRIMARY KEY (request_id, kind, time_ms)
            )
            """,
            "CREATE INDEX feedback_time ON feedback (time_ms)",
        ],
    ];

    public const string VersionTable = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL, applied_at_ms BIGINT NOT NULL)";

    /// <summary>
    /// For each migration, the oldest schema version a build may know and still use a ledger migrated this far: a
    /// migration that only adds tables or columns leaves older builds working (a rolling deploy, a rollback); one that
    /// changes what they read or write does not. Recorded in <see cref="CompatTable"/> as each migration is applied.
    /// </summary>
    public static readonly int[] UsableFrom =
    [
        0, // 1
        1, // 2: adds the feedback table only
    ];

    public const string CompatTable = "CREATE TABLE IF NOT EXISTS schema_compat (version BIGINT PRIMARY KEY, usable_from BIGINT NOT NULL)";

    /// <summary>Days are stored as days since 1970-01-01 (UTC).</summary>
    public static long DayNumber(DateOnly day) => day.DayNumber - Epoch.DayNumber;

    public static DateOnly DayOf(long dayNumber) => DateOnly.FromDayNumber((int)(Epoch.DayNumber + dayNumber));

    public static DateOnly DayOfMs(long ms) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime);

    public static long StartMs(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static readonly DateOnly Epoch = new(1970, 1, 1);
}
