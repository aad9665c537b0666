using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Hosting;

/// <summary>
/// Gives back the memory a burst of work grew, once the gateway goes quiet: the large body buffers kept for reuse are let
/// go (<see cref="Protocols.BodyBuffers.Trim"/>), then one full, compacting GC decommits what it frees. Each tick also
/// lets go of the body buffers the load stopped taking (<see cref="Protocols.BodyBuffers.ReleaseUnused"/>). The GC collects
/// when allocations fill its budget, so a gateway that stops receiving requests never collects again and keeps the heap
/// the load left: 80–120 MB over its start-up RSS after a load like the bench's, most of it garbage, free regions and
/// pooled arrays (docs/benchmarks.md, round 7). Nothing runs per request: a timer reads the process's
/// allocation counter every second, and three seconds in a row in which the process allocated almost nothing and had
/// no request in flight, after
/// <see cref="WorkBytes"/> allocated since the last trim, is quiet enough. Runs only in <c>switchboard up</c>'s process
/// (a test host or an embedding application manages its own GC).
/// </summary>
internal sealed partial class IdleMemoryTrim(ILogger<IdleMemoryTrim> logger, Runtime.GatewayRuntime runtime) : IHostedService, IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    /// <summary>At most this much allocated in a tick counts as quiet (an idle gateway allocates tens of KB a second: timers, metrics).</summary>
    private const long QuietBytes = 256 * 1024;
    /// <summary>
    /// Quiet ticks in a row, with no request in flight at any of them, before a trim: light steady traffic (a few small
    /// requests a second also allocate under <see cref="QuietBytes"/>) must not pay a blocking full collection every few minutes.
    /// </summary>
    private const int QuietTicks = 3;
    /// <summary>Work since the last trim that makes another worth its pause (a few ms on the gateway's heap, while nothing runs).</summary>
    private const long WorkBytes = 16 * 1024 * 1024;

    private Timer? _timer;
    /// <summary>1 while a tick runs: a collection that outlasts the period must not start another.</summary>
    private int _ticking;
    private long _allocatedAtTick;
    private long _allocatedAtTrim;
    private int _quietTicks;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _allocatedAtTick = _allocatedAtTrim = GC.GetTotalAllocatedBytes();
        using (ExecutionContext.SuppressFlow())
            _timer = new Timer(static state => ((IdleMemoryTrim)state!).OnTick(), this, Tick, Tick);
        return Task.CompletedTask;
    }

    private void OnTick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1) return;
        try
        {
            TrimIfQuiet();
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void TrimIfQuiet()
    {
        // Under load too: the body buffers a burst left and the load no longer takes go back to the GC a few at a time.
        Protocols.BodyBuffers.Shared.ReleaseUnused();
        var allocated = GC.GetTotalAllocatedBytes();
        var sinceTick = allocated - _allocatedAtTick;
        _allocatedAtTick = allocated;
        _quietTicks = sinceTick <= QuietBytes && runtime.InFlight == 0 ? _quietTicks + 1 : 0;
        if (_quietTicks < QuietTicks || allocated - _allocatedAtTrim < WorkBytes) return;
        _quietTicks = 0;
        var before = Environment.WorkingSet;
        Protocols.BodyBuffers.Shared.Trim();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _allocatedAtTick = _allocatedAtTrim = GC.GetTotalAllocatedBytes();
        Trimmed(logger, before / (1024 * 1024), Environment.WorkingSet / (1024 * 1024));
    }

    public Task StopAsync(CancellationToken cancellationToken) => _timer?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "idle: memory trimmed, working set {BeforeMb} -> {AfterMb} MB")]
    private static partial void Trimmed(ILogger logger, long beforeMb, long afterMb);
}
