namespace Switchboard.Runtime;

/// <summary>
/// What the idle memory trim (<c>Hosting/IdleMemoryTrim</c>, <c>switchboard up</c> only) has done, for
/// /healthz?verbose=true: how many trims, how many failed ticks, and the last trim's figures.
/// </summary>
internal sealed class IdleTrimStatus
{
    private long _trims;
    private long _failures;
    private IdleTrimResult? _last;

    public long Trims => Interlocked.Read(ref _trims);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Null before the first trim.</summary>
    public IdleTrimResult? Last => Volatile.Read(ref _last);

    public void Trimmed(IdleTrimResult result)
    {
        Volatile.Write(ref _last, result);
        Interlocked.Increment(ref _trims);
    }

    public void Failed() => Interlocked.Increment(ref _failures);
}

/// <summary>One idle trim: when, the working set before it, after its collection and after <c>malloc_trim</c>, and the collection's pause.</summary>
internal sealed record IdleTrimResult(DateTimeOffset At, long WorkingSetBefore, long WorkingSetAfterCollect, long WorkingSetAfter, TimeSpan Pause);
