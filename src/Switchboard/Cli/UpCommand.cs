using System.CommandLine;
using System.Net.Sockets;
using Switchboard.Server;

namespace Switchboard.Cli;

/// <summary>`switchboard up`: run the gateway in the foreground until SIGINT/SIGTERM.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var config = CliApp.ConfigOption();
        var port = new Option<int?>("--port", "-p") { Description = "Listen on this port instead of the config's (0 picks a free port)." };
        var command = new Command("up", "Start the gateway (foreground; Ctrl+C stops it gracefully).\n\nExamples:\n  switchboard up --config config.yaml\n  switchboard up --port 12001")
        {
            config, port,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config), parse.GetValue(port), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, int? port, CancellationToken cancellationToken)
    {
        if (port is < 0 or > 65535)
        {
            Console.Error.WriteLine($"--port {port} is not a port number (0-65535).");
            return ExitCodes.Usage;
        }
        var resolved = ConfigSource.Resolve(configPath);
        if (!ConfigSource.Report(resolved, Console.Error) || resolved.Config is null) return ExitCodes.Failure;
        var config = resolved.Config;

        await using var host = GatewayHost.Create(config, new GatewayHostOptions { Port = port });
        foreach (var endpoint in host.Runtime.Current.Providers.All)
            if (endpoint.MissingKeyVariable is { } missing && resolved.BuiltIn is null)
                Console.Error.WriteLine($"warning: {endpoint.Config.Model}: {missing} is not set; requests routed to it will fail until it is (export {missing}=... and restart).");

        var listener = config.Listeners[0];
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"Cannot listen on {listener.Address}:{port ?? listener.Port}: the port is already in use. Stop what uses it (`switchboard down` if it is another Switchboard) or pass --port N.");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot listen on {listener.Address}:{port ?? listener.Port}: {ex.Message}");
            return ExitCodes.Failure;
        }

        var address = host.BaseAddress.ToString().TrimEnd('/');
        Console.Error.WriteLine($"Switchboard is listening on {address}");
        Console.Error.WriteLine($"  Anthropic clients: ANTHROPIC_BASE_URL={address}    OpenAI clients: OPENAI_BASE_URL={address}/v1");
        await host.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        Console.Error.WriteLine("Switchboard stopped.");
        return ExitCodes.Ok;
    }
}
