using System.Runtime.InteropServices;

namespace Switchboard.Cli;

/// <summary>
/// Ctrl+C as a cancellation for commands that run until stopped (watch, logs -f), so they end with exit 0
/// after a clean stop instead of being killed. Not for `up`: the gateway's host handles its own signals.
/// </summary>
internal sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly PosixSignalRegistration _sigint;

    private Interrupt(CancellationToken cancellationToken)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            _cancellation.Cancel();
        });
    }

    /// <summary>Cancelled by Ctrl+C or by <paramref name="cancellationToken"/>.</summary>
    public CancellationToken Token => _cancellation.Token;

    public static Interrupt Listen(CancellationToken cancellationToken) => new(cancellationToken);

    public void Dispose()
    {
        _sigint.Dispose();
        _cancellation.Dispose();
    }
}
