using System.Security.Cryptography;
using System.Text;
using Switchboard.Config;
using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Server;

/// <summary>
/// Everything a request needs from one config: the config itself, its provider endpoints and its model
/// selector. A request leases the current snapshot and finishes on it, even if a reload swaps it; a retired
/// snapshot is disposed when its last lease ends.
/// </summary>
public sealed class GatewaySnapshot : IDisposable
{
    private int _leases;
    private int _retired;
    private int _disposed;
    private GatewayRuntime? _runtime; // set when installed: counts the requests in flight across snapshots

    private readonly IDisposable? _routerResources;

    public GatewaySnapshot(GatewayConfig config, ProviderRegistry providers, ModelSelector selector, IDisposable? routerResources = null)
    {
        _routerResources = routerResources;
        Config = config;
        Providers = providers;
        Selector = selector;
        Relay = new RelayOptions(
            TimeSpan.FromMilliseconds(config.Resilience.FirstByteTimeoutMs),
            TimeSpan.FromMilliseconds(config.Resilience.StreamIdleTimeoutMs))
        {
            StreamKeepAlive = TimeSpan.FromMilliseconds(config.Resilience.StreamKeepAliveMs),
        };
        GatewayKeyHashes = config.GatewayKeys.Where(k => k.Value is not null).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Value!))).ToArray();
    }

    public GatewayConfig Config { get; }
    public ProviderRegistry Providers { get; }
    public ModelSelector Selector { get; }
    public RelayOptions Relay { get; }
    /// <summary>SHA-256 of each gateway key, compared in constant time.</summary>
    internal byte[][] GatewayKeyHashes { get; }

    internal void InstallIn(GatewayRuntime runtime) => _runtime = runtime;

    internal void AddLease()
    {
        Interlocked.Increment(ref _leases);
        _runtime?.RequestStarted();
    }

    internal void ReleaseLease()
    {
        _runtime?.RequestEnded();
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1) Dispose();
    }

    internal void Retire()
    {
        Volatile.Write(ref _retired, 1);
        if (Volatile.Read(ref _leases) == 0) Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Providers.Dispose();
        _routerResources?.Dispose();
    }
}

/// <summary>Holds the current snapshot; swapped atomically on reload.</summary>
public sealed class GatewayRuntime
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

/// <summary>Timeouts and limits a relay applies, from the config's resilience section.</summary>
public sealed record RelayOptions(TimeSpan FirstByteTimeout, TimeSpan StreamIdleTimeout, int MaxErrorBodyBytes = Providers.ProviderResilience.MaxErrorBodyBytes)
{
    /// <summary>Longest time a streaming client waits without a byte: keep-alives fill the upstream's silences.</summary>
    public TimeSpan StreamKeepAlive { get; init; } = TimeSpan.FromMilliseconds(ResilienceConfig.DefaultStreamKeepAliveMs);
}
