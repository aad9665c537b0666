using Switchboard.Config;
using Switchboard.Providers;

namespace Switchboard.Runtime;

/// <summary>Timeouts and limits a relay applies, from the config's resilience section.</summary>
internal sealed record RelayOptions(TimeSpan FirstByteTimeout, TimeSpan StreamIdleTimeout, int MaxErrorBodyBytes = ProviderResilience.MaxErrorBodyBytes)
{
    /// <summary>Longest time a streaming client waits without a byte: keep-alives fill the upstream's silences.</summary>
    public TimeSpan StreamKeepAlive { get; init; } = TimeSpan.FromMilliseconds(ResilienceConfig.DefaultStreamKeepAliveMs);
}
