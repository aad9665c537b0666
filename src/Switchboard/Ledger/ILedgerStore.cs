using Switchboard.Routing.Feedback;

namespace Switchboard.Ledger;

/// <summary>
/// Where the ledger is kept: SQLite (<see cref="Storage.SqliteLedgerStore"/>) or PostgreSQL
/// (<see cref="Storage.PostgresLedgerStore"/>), with one schema and one set of query semantics. Rows older than the
/// retention are folded into daily rollups (<see cref="RollupRow"/>), which are kept.
/// </summary>
internal interface ILedgerStore : IAsyncDisposable
{
    /// <summary>"SQLite /var/lib/…/ledger.db", "PostgreSQL db.internal:5432/switchboard": never a password.</summary>
    string Description { get; }

    /// <summary>Applies the schema migrations this build knows and the store has not seen (versioned, at start).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the rows in one transaction. Synchronous: it runs on the ledger's writer thread (<see cref="LedgerWriter"/>),
    /// which has nothing else to do meanwhile, and blocking I/O there wakes no thread-pool worker.
    /// </summary>
    void Write(ReadOnlySpan<LedgerRow> rows);

    /// <summary>Rolls up every whole UTC day before <paramref name="beforeDay"/> not rolled up yet; returns how many days.</summary>
    Task<int> RollUpAsync(DateOnly beforeDay, CancellationToken cancellationToken);

    /// <summary>Deletes the per-request rows of days before <paramref name="beforeDay"/> that are rolled up; returns how many.</summary>
    Task<long> PruneAsync(DateOnly beforeDay, CancellationToken cancellationToken);

    /// <summary>The first day not rolled up (every earlier day is); null when nothing is rolled up.</summary>
    Task<DateOnly?> RolledUpUntilAsync(CancellationToken cancellationToken);

    /// <summary>The earliest day whose per-request rows are still kept (null: none).</summary>
    Task<DateOnly?> OldestRowDayAsync(CancellationToken cancellationToken);

    /// <summary>Per-request rows in [<paramref name="fromMs"/>, <paramref name="toMs"/>), optionally of one session; newest first when limited.</summary>
    IAsyncEnumerable<LedgerRow> ReadRowsAsync(long fromMs, long toMs, string? session, int? newestLimit, CancellationToken cancellationToken);

    /// <summary>Rollup rows of the days in [<paramref name="from"/>, <paramref name="until"/>).</summary>
    IAsyncEnumerable<RollupRow> ReadRollupsAsync(DateOnly from, DateOnly until, CancellationToken cancellationToken);

    /// <summary>Adds routing feedback in one transaction; a record already there (same request, kind and time) is skipped. Returns how many were new.</summary>
    Task<int> AppendFeedbackAsync(IReadOnlyList<FeedbackRecord> records, CancellationToken cancellationToken);

    /// <summary>Feedback recorded at or after <paramref name="fromMs"/>, oldest first. Feedback is never pruned: it is what the router learnt.</summary>
    IAsyncEnumerable<FeedbackRecord> ReadFeedbackAsync(long fromMs, CancellationToken cancellationToken);

    /// <summary>Ratings per answering model in [<paramref name="fromMs"/>, <paramref name="toMs"/>): the dashboard's quality view.</summary>
    Task<IReadOnlyDictionary<string, ModelRatings>> ReadRatingsAsync(long fromMs, long toMs, CancellationToken cancellationToken);
}

/// <summary>How many answers of one model a team rated good and bad.</summary>
internal readonly record struct ModelRatings(long Good, long Bad);

/// <summary>
/// One day's requests of one (model, provider, route, caller, agent, session): sums, and that group's latency
/// percentiles (merged across groups by request-weighted mean: an approximation, said so in docs/configuration.md).
/// </summary>
internal sealed record RollupRow
{
    public DateOnly Day { get; init; }
    public required string Model { get; init; }
    public required string Provider { get; init; }
    public required string Route { get; init; }
    public string? Caller { get; init; }
    public string? Agent { get; init; }
    public string? Session { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public long InputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }
    public long OutputTokens { get; init; }
    public long ReasoningTokens { get; init; }
    public long CostNanoUsd { get; init; }
    public long UnpricedRequests { get; init; }
    public double LatencyP50Ms { get; init; }
    public double LatencyP95Ms { get; init; }
    public double TtfbP50Ms { get; init; }
    /// <summary>Output tokens and generation time of the requests that produced output: tokens per second.</summary>
    public long GenerationTokens { get; init; }
    public double GenerationMs { get; init; }
    public long FirstMs { get; init; }
    public long LastMs { get; init; }
}
