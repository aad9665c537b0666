using Switchboard.Routing.Feedback;

namespace Switchboard.Ledger;

/// <summary>
/// Routing feedback kept in the ledger's database, so every replica of one ledger learns from every correction. The
/// records are held in memory for the router (it reads them on every routed request); <see cref="RefreshAsync"/> adds
/// what other replicas wrote. Thread-safe.
/// </summary>
internal sealed class LedgerFeedbackStore : IFeedbackStore
{
    /// <summary>Another replica's clock may run a little behind: re-read this far before the newest record seen.</summary>
    private static readonly long ClockSkewMs = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;

    private readonly ILedgerStore _store;
    private readonly object _lock = new();
    private readonly List<FeedbackRecord> _records = [];
    private readonly HashSet<(string RequestId, string Kind, long TimeMs)> _keys = [];
    private long _newestMs = long.MinValue;
    private long _version;

    private LedgerFeedbackStore(ILedgerStore store) => _store = store;

    /// <summary>Adds <paramref name="import"/> (the file beside the config, from before the ledger) to the database, then reads it all.</summary>
    public static async Task<(LedgerFeedbackStore Store, int Imported)> OpenAsync(ILedgerStore store, IReadOnlyList<FeedbackRecord> import, CancellationToken cancellationToken)
    {
        var imported = await store.AppendFeedbackAsync(import, cancellationToken).ConfigureAwait(false);
        var feedback = new LedgerFeedbackStore(store);
        await feedback.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return (feedback, imported);
    }

    public long Version => Interlocked.Read(ref _version);

    /// <summary>In the database when the task completes (the feedback endpoint answers after it).</summary>
    public async ValueTask AppendAsync(FeedbackRecord record, CancellationToken cancellationToken)
    {
        // On the thread pool: Microsoft.Data.Sqlite's async calls run synchronously (and wait out a writer's lock), and
        // the endpoint may be running on a socket thread that other connections' I/O needs.
        await Task.Run(() => _store.AppendFeedbackAsync([record], cancellationToken), cancellationToken).ConfigureAwait(false);
        Add([record]);
    }

    public IReadOnlyList<FeedbackRecord> ReadAll()
    {
        lock (_lock) return _records.ToArray();
    }

    /// <summary>Reads what was added since the last look (by any replica); returns how many records were new.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        long from;
        lock (_lock) from = _newestMs == long.MinValue ? long.MinValue : _newestMs - ClockSkewMs;
        var read = new List<FeedbackRecord>();
        await foreach (var record in _store.ReadFeedbackAsync(from, cancellationToken).ConfigureAwait(false)) read.Add(record);
        return Add(read);
    }

    private int Add(IReadOnlyList<FeedbackRecord> records)
    {
        lock (_lock)
        {
            var added = 0;
            var outOfOrder = false;
            foreach (var record in records)
            {
                var timeMs = record.Time.ToUnixTimeMilliseconds();
                if (!_keys.Add((record.RequestId, record.Kind, timeMs))) continue;
                outOfOrder |= timeMs < _newestMs;
                _newestMs = Math.Max(_newestMs, timeMs);
                _records.Add(record);
                added++;
            }
            // Oldest first, as the router expects (a later correction of the same prompt wins).
            if (outOfOrder) _records.Sort((a, b) => a.Time.CompareTo(b.Time));
            if (added > 0) Interlocked.Increment(ref _version);
            return added;
        }
    }
}
