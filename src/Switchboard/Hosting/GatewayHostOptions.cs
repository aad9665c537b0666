using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Runtime;

namespace Switchboard.Hosting;

/// <summary>How to host a gateway: port override, logging, test hooks.</summary>
internal sealed record GatewayHostOptions
{
    /// <summary>Overrides the listener's port (0 picks a free one).</summary>
    public int? Port { get; init; }
    /// <summary>Replaces the default console logging (tests capture log lines with this).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
    /// <summary>How long in-flight requests may run after a stop signal.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Run request handlers on Kestrel's socket threads; pairs with <see cref="InlineSocketIo"/>.</summary>
    public bool InlineIo { get; init; }
    /// <summary>Give memory back once the process goes quiet after work (<see cref="IdleMemoryTrim"/>): <c>switchboard up</c>'s own process only.</summary>
    public bool TrimWhenIdle { get; init; }
    /// <summary>More services, registered after the gateway's own (another completion sink: tests, and the features that add one).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
    /// <summary>The gateway's state folder: where the SQLite ledger is kept unless ledger.path says; null (tests, embedding): no ledger without a path.</summary>
    public string? StateDirectory { get; init; }
}
