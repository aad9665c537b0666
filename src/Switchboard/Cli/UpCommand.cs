using System.CommandLine;
using System.Net.Sockets;
using Switchboard.Hosting;
using Switchboard.Runtime;

namespace Switchboard.Cli;

/// <summary>`switchboard up`: run the gateway in the foreground until SIGINT/SIGTERM, or in the background with --detach.</summary>
internal static class UpCommand
{
    /// <summary>Marks the background process `up --detach` starts; not for users.</summary>
    internal const string DetachedChildFlag = "--detached-child";

    public static Command Create(CliContext context)
    {
        var config = CliApp.ConfigOption();
        var port = CliApp.PortOption();
        var detach = new Option<bool>("--detach", "-d") { Description = "Run in the background; `switchboard down` stops it, `logs` shows its output." };
        var detachedChild = new Option<bool>(DetachedChildFlag) { Hidden = true };
        var command = new Command("up", "Start the gateway (foreground, or in the background with --detach).")
        {
            config, port, detach, detachedChild,
        };
        command.WithExamples(
            "switchboard up                              # ./config.yaml, else providers from the keys in the environment",
            "switchboard up --config config.yaml --port 12001",
            "switchboard up --detach                     # background; then: status, logs -f, watch, down");
        command.SetAction((parse, cancellationToken) =>
        {
            var configPath = parse.GetValue(config);
            var portNumber = parse.GetValue(port);
            if (!CliApp.CheckPort(portNumber, context)) return Task.FromResult(ExitCodes.Usage);
            return parse.GetValue(detach)
                ? DetachAsync(context, configPath, portNumber, cancellationToken)
                : RunForegroundAsync(context, configPath, portNumber, parse.GetValue(detachedChild), cancellationToken);
        });
        return command;
    }

    private static async Task<int> DetachAsync(CliContext context, string? configPath, int? port, CancellationToken cancellationToken)
    {
        var store = GatewayStateStore.For(context);
        if (store.ReadLive() is { } running)
        {
            context.Error.WriteLine($"Switchboard is already running in the background on {running.Url} (pid {running.Pid}). Stop it first with `switchboard down`.");
            return ExitCodes.Failure;
        }
        var started = await DetachedGateway.StartAsync(context, store, configPath, port, cancellationToken).ConfigureAwait(false);
        if (started is null) return ExitCodes.Failure;

        var o = context.Out;
        o.WriteLine($"Switchboard is running in the background on {started.Url} (pid {started.Pid}).");
        o.WriteLine($"  config:  {started.ConfigPath ?? "built-in (providers from environment keys)"}");
        o.WriteLine($"  logs:    switchboard logs -f   ({started.LogPath})");
        o.WriteLine("  stop:    switchboard down");
        o.WriteLine($"  Anthropic clients: ANTHROPIC_BASE_URL={started.Url}    OpenAI clients: OPENAI_BASE_URL={started.Url}/v1");
        return ExitCodes.Ok;
    }

    private static async Task<int> RunForegroundAsync(CliContext context, string? configPath, int? port, bool isDetachedChild, CancellationToken cancellationToken)
    {
        var resolved = ConfigSource.Resolve(configPath, context);
        if (!ConfigSource.Report(resolved, context.Error) || resolved.Config is null) return ExitCodes.Failure;
        ConfigSource.WarnAboutMissingKeys(resolved, context.Error);
        var config = resolved.Config;

        var inlineIo = InlineSocketIo.EnableUnlessConfigured(); // before the first socket: the runtime reads it once
        var host = GatewayHost.Create(config, new GatewayHostOptions { Port = port, InlineIo = inlineIo, TrimWhenIdle = IdleMemoryTrim.Enabled(Environment.GetEnvironmentVariable), StateDirectory = GatewayStateStore.For(context).Directory });
        var listener = config.Listeners[0];
        try
        {
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                context.Error.WriteLine($"Cannot listen on {listener.Address}:{port ?? listener.Port}: the port is already in use. Stop what uses it (`switchboard down` if it is another Switchboard) or pass --port N.");
                return ExitCodes.Failure;
            }
            catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
            {
                context.Error.WriteLine($"Cannot listen on {listener.Address}:{port ?? listener.Port}: {ex.Message}");
                return ExitCodes.Failure;
            }

            var address = host.BaseAddress.ToString().TrimEnd('/');
            context.Error.WriteLine($"Switchboard is listening on {address}");
            context.Error.WriteLine($"  Anthropic clients: ANTHROPIC_BASE_URL={address}    OpenAI clients: OPENAI_BASE_URL={address}/v1");
            try
            {
                // Returns once in-flight requests have finished (or the grace ran out).
                await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // A background gateway that stops on its own (SIGTERM from elsewhere) leaves no stale record behind.
                if (isDetachedChild) GatewayStateStore.For(context).Delete(onlyForPid: Environment.ProcessId);
            }
        }
        finally
        {
            // Disposing flushes the log, so the last line of every drained request comes before the word that it stopped.
            await host.DisposeAsync().ConfigureAwait(false);
        }
        var cut = host.RequestsCutAtShutdown;
        context.Error.WriteLine(cut == 0
            ? "Switchboard stopped."
            : $"Switchboard stopped; {Plural.Count(cut, "request")} still running after the {host.ShutdownGrace.TotalSeconds:0} s grace {(cut == 1 ? "was" : "were")} cut.");
        return ExitCodes.Ok;
    }
}
