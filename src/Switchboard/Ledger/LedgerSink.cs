using Switchboard.Pipeline;
using Switchboard.Runtime;

namespace Switchboard.Ledger;

/// <summary>
/// Each finished request into the ledger: the request itself (a value) copied into the bounded queue
/// (<see cref="BatchQueue{T}"/>) whose thread <see cref="LedgerWriter"/> runs; its row (agent name, cost in
/// nano-dollars, fallbacks, confidence) is made there, so the request's thread only copies references. A full queue
/// (a store that is slow or down) drops the request's row and counts it: the request is never delayed or failed for
/// the ledger.
/// </summary>
internal sealed class LedgerSink : ICompletionSink
{
    public const int Capacity = 16_384;

    private BatchQueue<CompletedRequest>? _queue; // kept after Close, for its counts
    private volatile bool _open;

    /// <summary>False when the ledger is off, could not be opened, or has stopped: rows are not built at all.</summary>
    public bool Enabled => _open;

    /// <summary>Rows accepted so far (what a flush waits for).</summary>
    public long Enqueued => _queue?.Added ?? 0;

    /// <summary>Rows dropped because the queue was full (or closed under them).</summary>
    public long DroppedFull => _queue?.Refused ?? 0;

    /// <summary>The writer's queue, once the store is open: rows go there from now on.</summary>
    internal void Open(BatchQueue<CompletedRequest> queue)
    {
        _queue = queue;
        _open = true;
    }

    /// <summary>No more rows are built (the gateway is stopping).</summary>
    internal void Close() => _open = false;

    public void OnCompleted(in CompletedRequest request)
    {
        if (!_open) return;
        // What the ledger never reads goes, so a queue backed up behind a slow store holds no router input or policy alive.
        _queue!.TryAdd(request with { RouterInput = null, RoutePolicy = null, Error = null }); // a refused one is counted by the queue
    }
}
