namespace Switchboard.Runtime;

/// <summary>
/// The caps on completion requests in flight: how many (<c>limits.max_concurrent_requests</c>) and how many bytes of
/// request bodies they declared (<c>limits.max_request_bytes_in_flight</c>, from <c>Content-Length</c>). A request past
/// either is refused before its body is read, so overload costs a refused request microseconds instead of a held body,
/// an upstream connection and buffers: without a cap, 1,000/s of 214 KB requests toward a slow upstream took a gateway
/// to 1.2 GB and 2,900 upstream sockets on its way to running out of memory (docs/benchmarks.md, round 9).
/// </summary>
internal sealed class InFlightGate
{
    private const long ReportIntervalMs = 1000;
    private int _inFlight;
    private long _bytes;
    private long _shed;
    private long _shedReported;
    private long _nextReportAt;

    /// <summary>Completion requests admitted and not yet finished.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The declared body bytes of the requests in flight (counted only while a byte cap is set).</summary>
    public long BytesInFlight => Interlocked.Read(ref _bytes);

    /// <summary>Requests refused since start.</summary>
    public long Shed => Interlocked.Read(ref _shed);

    /// <summary>
    /// Admits a request unless <paramref name="cap"/> requests (0: no cap) or <paramref name="byteCap"/> body bytes (0: no
    /// cap) are already in flight; an admitted one must <see cref="Exit"/> with the <paramref name="reserved"/> bytes. A
    /// body larger than the byte cap alone is admitted when no other body is held, or it could never be served (its own
    /// ceiling is limits.max_request_body_bytes).
    /// </summary>
    public bool TryEnter(int cap, long bodyBytes, long byteCap, out long reserved)
    {
        reserved = 0;
        if (Interlocked.Increment(ref _inFlight) > cap && cap > 0) return Refuse();
        if (byteCap > 0 && bodyBytes > 0)
        {
            var total = Interlocked.Add(ref _bytes, bodyBytes);
            if (total > byteCap && total != bodyBytes)
            {
                Interlocked.Add(ref _bytes, -bodyBytes);
                return Refuse();
            }
            reserved = bodyBytes;
        }
        return true;
    }

    private bool Refuse()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _shed);
        return false;
    }

    public void Exit(long reserved)
    {
        if (reserved != 0) Interlocked.Add(ref _bytes, -reserved);
        Interlocked.Decrement(ref _inFlight);
    }

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
