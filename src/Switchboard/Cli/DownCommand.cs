using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>`switchboard down`: stop the gateway `up --detach` started (SIGTERM, so in-flight requests finish).</summary>
internal static class DownCommand
{
    /// <summary>The gateway's own grace period for in-flight requests is 30 s; past that, something is stuck.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);

    public static Command Create(CliContext context)
    {
        var command = new Command("down", "Stop the background gateway.");
        command.WithExamples("switchboard down");
        command.SetAction((_, cancellationToken) => RunAsync(context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var store = GatewayStateStore.For(context);
        var state = store.Read();
        if (state is null)
        {
            context.Out.WriteLine("Switchboard is not running (no background gateway recorded).");
            return ExitCodes.Ok;
        }
        if (!ProcessProbe.IsRunningSwitchboard(state.Pid))
        {
            store.Delete(state.Pid);
            context.Out.WriteLine($"Switchboard is not running (pid {state.Pid} has exited; removed its stale record).");
            return ExitCodes.Ok;
        }

        context.Out.WriteLine($"Stopping Switchboard (pid {state.Pid}, {state.Url})…");
        ProcessProbe.Signal(state.Pid, ProcessProbe.SigTerm);
        if (!await ProcessProbe.WaitForExitAsync(state.Pid, StopTimeout, cancellationToken).ConfigureAwait(false))
        {
            ProcessProbe.Signal(state.Pid, ProcessProbe.SigKill);
            await ProcessProbe.WaitForExitAsync(state.Pid, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            context.Error.WriteLine($"It did not stop within {StopTimeout.TotalSeconds:0} s and was killed.");
        }
        store.Delete(state.Pid);
        context.Out.WriteLine("Switchboard stopped.");
        return ExitCodes.Ok;
    }
}
