using Microsoft.Extensions.Hosting;
using Switchboard.Runtime;

namespace Switchboard.State;

/// <summary>
/// Connects to Redis when the gateway starts (bounded by a few seconds), so the first requests do not find the
/// connection still coming up and get refused as if Redis were away.
/// </summary>
internal sealed class SharedStateWarmup(TeamState state, GatewayRuntime runtime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (state.SharedFor(runtime.Current) is not { } shared) return;
        await shared.ConnectAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
