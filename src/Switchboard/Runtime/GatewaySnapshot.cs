using Switchboard.Config;
using Switchboard.Identity;
using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Runtime;

/// <summary>
/// Everything a request needs from one config: the config itself, its provider endpoints and its model
/// selector. A request leases the current snapshot and finishes on it, even if a reload swaps it; a retired
/// snapshot is disposed when its last lease ends.
/// </summary>
internal sealed class GatewaySnapshot : IDisposable
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
        Keyring = new GatewayKeyring(config.GatewayKeys);
    }

    public GatewayConfig Config { get; }
    public ProviderRegistry Providers { get; }
    public ModelSelector Selector { get; }
    public RelayOptions Relay { get; }
    /// <summary>The gateway keys callers must present (none: the gateway is open).</summary>
    public GatewayKeyring Keyring { get; }

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
