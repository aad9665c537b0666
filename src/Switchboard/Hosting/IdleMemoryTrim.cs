using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols;
using Switchboard.Runtime;

namespace Switchboard.Hosting;

/// <summary>
/// Gives back the memory a burst of work grew, once the gateway goes quiet: the kept body buffers and socket read
/// blocks are let go (<see cref="BodyBuffers.Trim"/>, <see cref="LargeReadMemoryPoolFactory.Blocks"/>), one full,
/// compacting GC decommits what it frees, and glibc's malloc gives back the free pages of its arenas
/// (<c>malloc_trim</c>). Each tick also lets go of the buffers the load stopped taking (<see cref="KeptArrays.ReleaseUnused"/>).
/// The GC collects when allocations fill its budget, so a gateway that stops receiving requests never collects again
/// and keeps the heap the load left (docs/benchmarks.md, rounds 7 and 10).
/// Nothing runs per request: a timer reads the process's allocation counter and the in-flight count every second;
/// three seconds in a row in which the process allocated almost nothing and had no request in flight is quiet enough,
/// once the working set has grown <see cref="GrowthBytes"/> over what the last trim left (or the start-up's), or
/// <see cref="ChurnGrowthBytes"/> after <see cref="ChurnBytes"/> allocated since the last trim (<see cref="WorthTrimming"/>). The
/// in-flight count is read again just before the collection. Runs in <c>switchboard up</c>'s process unless
/// <c>SWITCHBOARD_IDLE_TRIM=0</c> (a test host or an embedding application manages its own GC); /healthz?verbose=true
/// shows its count and last result (<see cref="IdleTrimStatus"/>).
/// </summary>
internal sealed partial class IdleMemoryTrim(ILogger<IdleMemoryTrim> logger, GatewayRuntime runtime, IdleTrimStatus status) : IHostedService, IDisposable
{
    /// <summary>The environment variable that turns the trim off (<c>0</c>) in <c>switchboard up</c>.</summary>
    public const string Variable = "SWITCHBOARD_IDLE_TRIM";

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    /// <summary>At most this much allocated in a tick counts as quiet (an idle gateway allocates tens of KB a second: timers, metrics).</summary>
    private const long QuietBytes = 256 * 1024;
    /// <summary>
    /// Quiet ticks in a row, with no request in flight at any of them, before a trim: light steady traffic (a few small
    /// requests a second also allocate under <see cref="QuietBytes"/>) must not pay a blocking full collection every few minutes.
    /// </summary>
    private const int QuietTicks = 3;
    /// <summary>
    /// Growth of the working set since the last trim that makes another worth its pause (tens of ms on a busy machine,
    /// while nothing runs). Not bytes allocated: a few requests after a trim commit fresh gen0 pages up to the gen0
    /// budget and keep them, while allocating far less than the 16 MB this used to wait for (docs/benchmarks.md, round 10).
    /// </summary>
    private const long GrowthBytes = 8 * 1024 * 1024;

    /// <summary>
    /// The growth that triggers a trim: <see cref="GrowthBytes"/>, or more when the gen0 budget is larger (a budget
    /// raised with DOTNET_GCGen0MaxBudget regrows that much after a few requests, and would trim in every pause).
    /// </summary>
    private static readonly long Growth = Math.Max(GrowthBytes, (GcSettings.Gen0Budget() ?? 0) + 2 * 1024 * 1024);

    /// <summary>
    /// Allocated under load since the last trim (in ticks that were not quiet) that makes a smaller growth
    /// (<see cref="ChurnGrowthBytes"/>) worth a trim too: a
    /// load after a trim (the bench's last scenario: 300 small streams) can grow the working set by 6–8 MB, under
    /// <see cref="Growth"/>, and the gateway then stayed that much above what a trim leaves until the next load
    /// (docs/benchmarks.md, round 13c). Quiet ticks do not count: a few requests after a trim regrow gen0 by 2 MB or more
    /// at once (round 10), so counting an idle gateway's timers and a trickle of requests would trim every few minutes, forever.
    /// </summary>
    private const long ChurnBytes = 16 * 1024 * 1024;
    /// <summary>The least growth a churned heap needs for a trim: under it a collection has nothing to give back.</summary>
    private const long ChurnGrowthBytes = 2 * 1024 * 1024;

    private Timer? _timer;
    /// <summary>1 while a tick runs: a collection that outlasts the period must not start another.</summary>
    private int _ticking;
    private long _allocatedAtTick;
    /// <summary>The working set the last trim left (at first, the start-up's).</summary>
    private long _floor;
    /// <summary>Bytes allocated in ticks that were not quiet since the last trim (a load, not a trickle).</summary>
    private long _churned;
    private int _quietTicks;
    private bool _nativeTrimUnavailable;

    /// <summary>True when <c>up</c> should run the trim: unless the environment turns it off.</summary>
    public static bool Enabled(Func<string, string?> environment) =>
        environment(Variable)?.Trim().ToLowerInvariant() is not ("0" or "false" or "off" or "no");


    public Task StartAsync(CancellationToken cancellationToken)
    {
        _allocatedAtTick = GC.GetTotalAllocatedBytes();
        _floor = Environment.WorkingSet;
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
        catch (Exception e)
        {
            // A timer callback that throws would end the process; a trim that fails must still be seen.
            status.Failed();
            _floor = Environment.WorkingSet; // not again at once: once the process has grown again
            _churned = 0;
            TrimFailed(logger, e.GetType().Name, e.Message);
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void TrimIfQuiet()
    {
        // Under load too: the buffers a burst left and the load no longer takes go back to the GC a few at a time.
        BodyBuffers.Shared.ReleaseUnused();
        LargeReadMemoryPoolFactory.Blocks.ReleaseUnused();
        var allocated = GC.GetTotalAllocatedBytes();
        var sinceTick = allocated - _allocatedAtTick;
        _allocatedAtTick = allocated;
        _churned = Churned(_churned, sinceTick);
        _quietTicks = sinceTick <= QuietBytes && runtime.InFlight == 0 ? _quietTicks + 1 : 0;
        if (_quietTicks < QuietTicks) return;
        var before = Environment.WorkingSet;
        if (!WorthTrimming(before - _floor, _churned, Growth)) return;
        _quietTicks = 0;
        if (runtime.InFlight != 0) return; // a request came in since the tick began: its turn, not the collection's

        var pauseBefore = GC.GetTotalPauseDuration();
        BodyBuffers.Shared.Trim();
        LargeReadMemoryPoolFactory.Blocks.Clear();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var pause = GC.GetTotalPauseDuration() - pauseBefore;
        var afterCollect = Environment.WorkingSet;
        // malloc_trim walks the arenas under their locks: not while a request that came in during the collection runs.
        if (runtime.InFlight == 0) TrimNativeHeap();
        var after = Environment.WorkingSet;
        _allocatedAtTick = GC.GetTotalAllocatedBytes();
        _churned = 0;
        _floor = after;
        status.Trimmed(new IdleTrimResult(DateTimeOffset.UtcNow, before, afterCollect, after, pause));
        Trimmed(logger, before >> 20, afterCollect >> 20, after >> 20, pause.TotalMilliseconds);
    }

    /// <summary>
    /// Whether a quiet process is worth a trim: its working set grew <paramref name="growth"/> over what the last trim
    /// left, or it grew <see cref="ChurnGrowthBytes"/> after <see cref="ChurnBytes"/> were allocated under load.
    /// </summary>
    internal static bool WorthTrimming(long grownBytes, long churnedSinceTrim, long growth) =>
        grownBytes >= growth || (grownBytes >= ChurnGrowthBytes && churnedSinceTrim >= ChurnBytes);

    /// <summary>What a tick adds to the churn since the last trim: its allocation when it was not quiet, else nothing.</summary>
    internal static long Churned(long churnedSinceTrim, long allocatedInTick) =>
        allocatedInTick > QuietBytes ? churnedSinceTrim + allocatedInTick : churnedSinceTrim;

    /// <summary>
    /// glibc's malloc keeps what native code freed (the runtime's own tables, TLS, OpenSSL) in its arenas until
    /// <c>malloc_trim</c> hands their free pages back. Other C libraries (musl) have no such call: then nothing.
    /// </summary>
    private void TrimNativeHeap()
    {
        if (_nativeTrimUnavailable || !OperatingSystem.IsLinux()) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _nativeTrimUnavailable = true;
            NativeTrimUnavailable(logger, e.Message);
        }
    }

    // Blittable arguments, no marshalling: DllImport as Cli/ProcessProbe does (LibraryImport would need unsafe code).
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    public Task StopAsync(CancellationToken cancellationToken) => _timer?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "idle: memory trimmed, working set {BeforeMb} -> {AfterCollectMb} MB after the collection -> {AfterMb} MB after malloc_trim (GC pause {PauseMs:0.0} ms)")]
    private static partial void Trimmed(ILogger logger, long beforeMb, long afterCollectMb, long afterMb, double pauseMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "idle memory trim failed ({Error}): {Reason}; tried again once the process has grown again")]
    private static partial void TrimFailed(ILogger logger, string error, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "idle: this C library has no malloc_trim ({Reason}); the native heap is left as it is")]
    private static partial void NativeTrimUnavailable(ILogger logger, string reason);
}
