using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.LoadTest;

/// <summary>A child process (fake upstream or gateway) started with `dotnet DLL ARGS`, its output in a log file.</summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly List<ChildProcess> Live = [];
    private readonly Process _process;

    public string Name { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        lock (Live) Live.Add(this);
    }

    /// <summary>
    /// Starts it through `sh -c exec`, so the pid is the .NET process itself (whose VmRSS we read) and its output goes
    /// straight to a file, as it would for a user redirecting the gateway's log.
    /// </summary>
    public static ChildProcess Start(string name, string dll, string args, string logPath, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet '{dll}' {args} >'{logPath}' 2>&1"]) { UseShellExecute = false };
        // The gateway's own defaults decide; nothing from this runner's environment leaks into GC settings.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        return new ChildProcess(name, process, logPath);
    }

    public async Task WaitReadyAsync(Uri health)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited: {File.ReadAllText(LogPath)}");
            try
            {
                using var response = await client.GetAsync(health);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} did not become ready");
    }

    /// <summary>Resident set size in MB, from /proc/PID/status VmRSS.</summary>
    public double RssMb()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }

    /// <summary>User + system CPU time the process has used, in ms (from /proc/PID/stat, 10 ms resolution).</summary>
    public double CpuMs()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10.0; // utime, stime in USER_HZ (100/s)
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        lock (Live) Live.Remove(this);
    }

    /// <summary>Kills whatever this runner started (on Ctrl+C or exit).</summary>
    public static void KillAll()
    {
        ChildProcess[] all;
        lock (Live) all = Live.ToArray();
        foreach (var p in all) p.Dispose();
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
