using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Cli;

/// <summary>
/// Starts the gateway as a background process: this same program re-run as `up --detached-child`, in its own
/// session (setsid: no controlling terminal, so closing the terminal or Ctrl+C there does not reach it), with
/// stdin from /dev/null and stdout/stderr in the state directory's log file. Then waits until /healthz answers.
/// </summary>
internal static class DetachedGateway
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private const int LogLinesOnFailure = 20;

    /// <summary>The started gateway's state, or null after explaining on stderr why it did not start.</summary>
    public static async Task<GatewayState?> StartAsync(CliContext context, GatewayStateStore store, string? configPath, int? port, CancellationToken cancellationToken)
    {
        // Check the config here, where the user sees the errors, rather than in the child's log.
        var resolved = ConfigSource.Resolve(configPath, context);
        if (!ConfigSource.Report(resolved, context.Error) || resolved.Config is null) return null;
        ConfigSource.WarnAboutMissingKeys(resolved, context.Error);

        var listener = resolved.Config.Listeners[0];
        var bindAddress = listener.Address is "*" or "+" ? IPAddress.Any : IPAddress.Parse(listener.Address);
        var listenPort = port ?? listener.Port;
        if (listenPort == 0) listenPort = PickFreePort(bindAddress); // the child must be told a port we can find it on
        if (PortInUse(bindAddress, listenPort))
        {
            context.Error.WriteLine($"Cannot listen on {listener.Address}:{listenPort}: the port is already in use. Stop what uses it (`switchboard down` if it is another Switchboard) or pass --port N.");
            return null;
        }

        Directory.CreateDirectory(store.Directory);
        var configFile = resolved.Load is null ? null : resolved.Description;
        Process process;
        try
        {
            process = Process.Start(StartInfo(context, store, configFile, listenPort))!;
        }
        catch (Win32Exception ex)
        {
            context.Error.WriteLine($"Cannot start the background gateway: {ex.Message}");
            return null;
        }
        using var _ = process; // only our handle: the gateway runs on

        var url = $"http://{ConnectHost(bindAddress)}:{listenPort}";
        var state = new GatewayState(process.Id, listenPort, url, configFile, store.LogPath, DateTimeOffset.UtcNow);
        store.Write(state);

        using var client = new GatewayClient(state.BaseUrl, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                store.Delete(process.Id);
                context.Error.WriteLine($"The gateway stopped while starting (exit code {process.ExitCode}). The end of its log ({store.LogPath}):");
                WriteLogTail(context, store.LogPath);
                return null;
            }
            // The pid check makes sure it is our gateway answering, not something else on that port.
            if (await client.GetHealthAsync(cancellationToken).ConfigureAwait(false) is { } health && health.Pid == process.Id)
                return state;
            if (DateTime.UtcNow >= deadline)
            {
                ProcessProbe.Signal(process.Id, ProcessProbe.SigKill);
                store.Delete(process.Id);
                context.Error.WriteLine($"The gateway did not answer on {url}/healthz within {StartTimeout.TotalSeconds:0} s and was stopped. The end of its log ({store.LogPath}):");
                WriteLogTail(context, store.LogPath);
                return null;
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ProcessStartInfo StartInfo(CliContext context, GatewayStateStore store, string? configFile, int port)
    {
        var (program, programArgs) = SelfCommand();
        // sh redirects the streams and then execs, so the pid we get is the gateway's own.
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = store.Directory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""log="$1"; shift; exec "$@" </dev/null >"$log" 2>&1""");
        start.ArgumentList.Add("switchboard-detach");
        start.ArgumentList.Add(store.LogPath);
        if (FindOnPath("setsid") is { } setsid) start.ArgumentList.Add(setsid);
        else if (FindOnPath("nohup") is { } nohup) start.ArgumentList.Add(nohup);
        start.ArgumentList.Add(program);
        foreach (var arg in programArgs) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("up");
        if (configFile is not null)
        {
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configFile);
        }
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(UpCommand.DetachedChildFlag);
        context.ApplyEnvironment(start);
        // The child removes its own state record on exit; make sure it looks in the same place.
        start.Environment[GatewayStateStore.StateDirVariable] = store.Directory;
        start.Environment["NO_COLOR"] = "1";
        return start;
    }

    /// <summary>How to run this program again: the apphost itself, or `dotnet switchboard.dll` when run that way.</summary>
    private static (string Program, string[] Args) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running.");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [typeof(CliApp).Assembly.Location])
            : (processPath, []);
    }

    internal static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string ConnectHost(IPAddress bindAddress) =>
        bindAddress.Equals(IPAddress.Any) ? "127.0.0.1"
        : bindAddress.Equals(IPAddress.IPv6Any) ? "[::1]"
        : bindAddress.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bindAddress}]"
        : bindAddress.ToString();

    private static int PickFreePort(IPAddress address)
    {
        using var probe = new TcpListener(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static bool PortInUse(IPAddress address, int port)
    {
        try
        {
            using var probe = new TcpListener(address, port);
            probe.Start();
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            return false; // e.g. an address this machine does not have: let the gateway report it in its own words
        }
    }

    internal static void WriteLogTail(CliContext context, string logPath, int lines = LogLinesOnFailure)
    {
        foreach (var line in LogFile.Tail(logPath, lines)) context.Error.WriteLine("  " + line);
    }
}
