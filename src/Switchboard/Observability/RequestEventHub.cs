using System.Threading.Channels;

namespace Switchboard.Observability;

/// <summary>
/// Fan-out of finished requests to live subscribers (watch), plus running totals (status).
/// Publishing never blocks the request path: a slow subscriber loses its oldest events.
/// </summary>
internal sealed class RequestEventHub
{
    private readonly Lock _gate = new();
    private Channel<RequestEvent>[] _subscribers = [];
    private long _served;
    private long _failed;

    public long Served => Interlocked.Read(ref _served);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The latest finished request (for `statusline`).</summary>
    public RequestEvent? Latest { get; private set; }

    /// <summary>Raised synchronously on the publishing thread: handlers must be cheap and must not throw.</summary>
    internal event Action<RequestEvent>? Published;

    public void Publish(RequestEvent e)
    {
        Interlocked.Increment(ref _served);
        if (e.Status >= 400 || e.Error is not null) Interlocked.Increment(ref _failed);
        Latest = e;
        Published?.Invoke(e);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
            subscriber.Writer.TryWrite(e);
    }

    public async IAsyncEnumerable<RequestEvent> SubscribeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<RequestEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate) _subscribers = [.. _subscribers, channel];
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return e;
        }
        finally
        {
            lock (_gate) _subscribers = _subscribers.Where(s => s != channel).ToArray();
        }
    }
}
