using Switchboard.Config;
using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Server;

/// <summary>
/// Everything a request needs from one config: the config itself, its provider endpoints and its model
/// selector. A request takes the current snapshot once and finishes on it, even if a reload swaps it.
/// </summary>
public sealed class GatewaySnapshot : IDisposable
{
    public GatewaySnapshot(GatewayConfig config, ProviderRegistry providers, ModelSelector selector)
    {
        Config = config;
        Providers = providers;
        Selector = selector;
        Relay = new RelayOptions(
            TimeSpan.FromMilliseconds(config.Resilience.FirstByteTimeoutMs),
            TimeSpan.FromMilliseconds(config.Resilience.StreamIdleTimeoutMs));
    }

    public GatewayConfig Config { get; }
    public ProviderRegistry Providers { get; }
    public ModelSelector Selector { get; }
    public RelayOptions Relay { get; }

    public void Dispose() => Providers.Dispose();
}

/// <summary>Holds the current snapshot; swapped atomically on reload.</summary>
public sealed class GatewayRuntime(GatewaySnapshot initial)
{
    private GatewaySnapshot _current = initial;

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Installs a new snapshot and returns the old one (the caller retires it once in-flight requests drain).</summary>
    public GatewaySnapshot Swap(GatewaySnapshot next) => Interlocked.Exchange(ref _current, next);
}

/// <summary>Timeouts and limits a relay applies, from the config's resilience section.</summary>
public sealed record RelayOptions(TimeSpan FirstByteTimeout, TimeSpan StreamIdleTimeout, int MaxErrorBodyBytes = 1024 * 1024);
