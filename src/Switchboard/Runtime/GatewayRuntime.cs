namespace Switchboard.Runtime;

/// <summary>Holds the current snapshot; swapped atomically on reload.</summary>
internal sealed class GatewayRuntime
{
    private GatewaySnapshot _current;
    private int _inFlight;

    public GatewayRuntime(GatewaySnapshot initial)
    {
        initial.InstallIn(this);
        _current = initial;
    }

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Requests holding a lease on any snapshot, old or current: what a graceful shutdown waits for.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The cap on completion requests in flight (limits.max_concurrent_requests), shared across snapshots.</summary>
    public InFlightGate Admission { get; } = new();

    internal void RequestStarted() => Interlocked.Increment(ref _inFlight);

    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public int Reloads { get; private set; }

    /// <summary>The current snapshot, leased until <see cref="GatewaySnapshot.ReleaseLease"/>.</summary>
    internal GatewaySnapshot Lease()
    {
        while (true)
        {
            var snapshot = Current;
            snapshot.AddLease();
            if (ReferenceEquals(snapshot, Current)) return snapshot;
            snapshot.ReleaseLease(); // swapped meanwhile: take the new one
        }
    }

    /// <summary>Installs a new snapshot; the old one is disposed once its in-flight requests finish.</summary>
    public void Swap(GatewaySnapshot next)
    {
        next.InstallIn(this);
        var previous = Interlocked.Exchange(ref _current, next);
        Reloads++;
        previous.Retire();
    }
}
