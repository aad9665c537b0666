namespace Switchboard.Pipeline.Relays;

/// <summary>
/// A read-only view of an upstream body that fails a read which waits longer than the idle timeout, so a
/// stalled stream is cut while a long one that keeps producing never is. One token source for the whole body,
/// linked to the request's token once; its timer is armed only for a read that has to wait, and disarmed when it
/// returns (no allocation per read or chunk). A read the connection's buffer already holds (a small answer that came
/// with its headers, events that arrived together) touches no timer, and a body read that way never creates one.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan idle, CancellationToken request) : ReadOnlyStream
{
    private CancellationTokenSource _idle = CancellationTokenSource.CreateLinkedTokenSource(request);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_idle.IsCancellationRequested && !request.IsCancellationRequested)
        {
            // The clock ran out just as the last read finished (after it returned data, before it was disarmed): a
            // cancelled source cannot be re-armed, so this read gets a fresh one. Rare, so the allocation is too.
            _idle.Dispose();
            _idle = CancellationTokenSource.CreateLinkedTokenSource(request);
        }
        // A caller with its own token (not the request's) gets it linked in for this read.
        using var other = cancellationToken.CanBeCanceled && cancellationToken != request
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _idle.Token)
            : null;
        try
        {
            var pending = inner.ReadAsync(buffer, other?.Token ?? _idle.Token);
            if (pending.IsCompleted) return await pending.ConfigureAwait(false);
            _idle.CancelAfter(idle); // the clock runs only while a read waits
            var read = await pending.ConfigureAwait(false);
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
            return read;
        }
        catch (OperationCanceledException) when (_idle.IsCancellationRequested && !request.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the upstream sent nothing for {idle.TotalSeconds:0.#} s");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _idle.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
