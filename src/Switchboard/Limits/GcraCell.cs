namespace Switchboard.Limits;

/// <summary>
/// One rate limit's state in process: GCRA (the generic cell rate algorithm), a single "theoretical arrival time" per
/// limit, moved with compare-and-swap: no lock, no allocation, exact under any concurrency. A unit (a request, a
/// token) pushes the time on by a minute / limit; a request is let in while the time is less than a minute ahead.
/// </summary>
internal sealed class GcraCell
{
    private long _tat;

    /// <summary>Takes <paramref name="cost"/> when the limit has room; else the ticks to wait.</summary>
    public bool TryTake(long now, long cost, long tolerance, out long waitTicks)
    {
        while (true)
        {
            var tat = Volatile.Read(ref _tat);
            var start = Math.Max(tat, now);
            if (start - now > tolerance)
            {
                waitTicks = start - now - tolerance;
                return false;
            }
            if (Interlocked.CompareExchange(ref _tat, start + cost, tat) == tat)
            {
                waitTicks = 0;
                return true;
            }
        }
    }

    /// <summary>Whether the limit has room now, taking nothing (tokens are counted after the response).</summary>
    public bool HasRoom(long now, long tolerance, out long waitTicks)
    {
        var ahead = Volatile.Read(ref _tat) - now;
        waitTicks = Math.Max(0, ahead - tolerance);
        return ahead <= tolerance;
    }

    /// <summary>Counts <paramref name="cost"/> that was used (tokens after a response).</summary>
    public void Add(long now, long cost)
    {
        while (true)
        {
            var tat = Volatile.Read(ref _tat);
            if (Interlocked.CompareExchange(ref _tat, Math.Max(tat, now) + cost, tat) == tat) return;
        }
    }

    /// <summary>Gives back a take another limit refused.</summary>
    public void Refund(long cost) => Interlocked.Add(ref _tat, -cost);

    /// <summary>How much of the limit's minute is used now, 0..1 (for `switchboard keys`).</summary>
    public double Used(long now, long window) => Math.Clamp((double)(Volatile.Read(ref _tat) - now) / window, 0, 1);
}
