using System.Threading.Channels;
using Switchboard.Pipeline;

namespace Switchboard.Ledger;

/// <summary>
/// Each finished request into the ledger: a row built on the request's thread and put on a bounded channel, which
/// <see cref="LedgerWriter"/> drains in batches. A full channel (a store that is slow or down) drops the row and counts
/// it: the request is never delayed or failed for the ledger.
/// </summary>
internal sealed class LedgerSink : ICompletionSink
{
    public const int Capacity = 16_384;

    private readonly Channel<LedgerRow> _channel = Channel.CreateBounded<LedgerRow>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait, // TryWrite says false when full, rather than dropping unseen
        AllowSynchronousContinuations = false,
    });

    private long _enqueued;
    private long _droppedFull;

    /// <summary>False when the ledger is off or could not be opened: rows are not built at all.</summary>
    public bool Enabled { get; set; }

    public ChannelReader<LedgerRow> Reader => _channel.Reader;

    /// <summary>Rows accepted so far (what a flush waits for).</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Rows dropped because the channel was full.</summary>
    public long DroppedFull => Interlocked.Read(ref _droppedFull);

    public void OnCompleted(in CompletedRequest request)
    {
        if (!Enabled) return;
        if (_channel.Writer.TryWrite(LedgerRow.From(in request))) Interlocked.Increment(ref _enqueued);
        else Interlocked.Increment(ref _droppedFull);
    }

    public void Complete() => _channel.Writer.TryComplete();
}
