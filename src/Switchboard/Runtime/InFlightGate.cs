namespace Switchboard.Runtime;

/// <summary>
/// The cap on completion requests in flight (<c>limits.max_concurrent_requests</c>). A request past it is refused before
/// its body is read, so overload costs a refused request microseconds instead of a held body, an upstream connection
/// and buffers: without the cap, 1,000/s of 214 KB requests toward a slow upstream took a gateway to 1.1 GB and 2,900
/// upstream sockets on its way to running out of memory (docs/benchmarks.md, overload round).
/// </summary>
internal sealed class InFlightGate
{
    private const long ReportIntervalMs = 1000;
    private int _inFlight;
    private long _shed;
    private long _shedReported;
    private long _nextReportAt;

    /// <summary>Completion requests admitted and not yet finished.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests refused since start.</summary>
    public long Shed => Interlocked.Read(ref _shed);

    /// <summary>Admits a request unless <paramref name="cap"/> (0: none) are already in flight; an admitted one must <see cref="Exit"/>.</summary>
    public bool TryEnter(int cap)
    {
        if (Interlocked.Increment(ref _inFlight) <= cap || cap <= 0) return true;
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _shed);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// After a refusal: whether a log line is due (at most one a second, whichever thread wins it), and how many requests
    /// were refused since the last one. At 10,000 refusals a second a line each would be the gateway's main work.
    /// </summary>
    public bool TryTakeReport(out long refusedSinceLastReport)
    {
        refusedSinceLastReport = 0;
        var now = Environment.TickCount64;
        var due = Volatile.Read(ref _nextReportAt);
        if (now < due || Interlocked.CompareExchange(ref _nextReportAt, now + ReportIntervalMs, due) != due) return false;
        var total = Shed;
        refusedSinceLastReport = total - _shedReported; // only the winner of the exchange above writes it
        _shedReported = total;
        return true;
    }
}
