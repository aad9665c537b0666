using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.LoadTest;

/// <summary>A child process (fake upstream, nginx or gateway), its output in a log file.</summary>
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
    /// Starts `dotnet DLL ARGS` through `sh -c exec`, so the pid is the .NET process itself (whose VmRSS we read) and
    /// its output goes straight to a file, as it would for a user redirecting the gateway's log.
    /// </summary>
    public static ChildProcess StartDotnet(string name, string dll, string args, string logPath, IDictionary<string, string>? env = null) =>
        Start(name, $"exec dotnet '{dll}' {args}", logPath, env);

    /// <summary>Starts a shell command (which should `exec` the real program), its output in <paramref name="logPath"/>.</summary>
    public static ChildProcess Start(string name, string command, string logPath, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"{command} >'{logPath}' 2>&1"]) { UseShellExecute = false };
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

    /// <summary>
    /// User + system CPU time the process and its direct children (nginx's workers) have used, in ms (from
    /// /proc/PID/stat, 10 ms resolution).
    /// </summary>
    public double CpuMs()
    {
        var total = ProcessCpuMs(Pid);
        var children = $"/proc/{Pid}/task/{Pid}/children";
        if (File.Exists(children))
            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                total += ProcessCpuMs(int.Parse(child));
        return total;
    }

    internal static double ProcessCpuMs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10.0; // utime, stime in USER_HZ (100/s)
        }
        catch (IOException)
        {
            return 0; // it has just exited
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true); // nginx's workers outlive a killed master otherwise
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

/// <summary>
/// CPU time each process spent during one run. The load generator is this process plus the children it has reaped
/// (wrk), from getrusage; the others are read from /proc.
/// </summary>
internal sealed class CpuWatch
{
    public const string LoadGenerator = "load generator";
    private readonly (string Name, ChildProcess Process, double Start)[] _processes;
    private readonly double _loadStart;
    private readonly long _wallStart = Stopwatch.GetTimestamp();

    private CpuWatch(IEnumerable<(string, ChildProcess?)> processes)
    {
        _processes = processes.Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!, p.Item2!.CpuMs())).ToArray();
        _loadStart = LoadGeneratorMs();
    }

    public static CpuWatch Start(params (string Name, ChildProcess? Process)[] processes) => new(processes);

    /// <summary>CPU ms per process since the start, and the wall-clock ms.</summary>
    public CpuUse Stop()
    {
        var used = _processes.ToDictionary(p => p.Name, p => p.Process.CpuMs() - p.Start);
        used[LoadGenerator] = LoadGeneratorMs() - _loadStart;
        return new CpuUse(used, Stopwatch.GetElapsedTime(_wallStart).TotalMilliseconds);
    }

    private static double LoadGeneratorMs()
    {
        var usage = new long[18];
        double Ms(int who) => getrusage(who, usage) == 0 ? (usage[0] + usage[2]) * 1000.0 + (usage[1] + usage[3]) / 1000.0 : 0;
        return Ms(RusageSelf) + Ms(RusageChildren);
    }

    private const int RusageSelf = 0, RusageChildren = -1;

    // struct rusage on 64-bit Linux: ru_utime and ru_stime (timeval: seconds, microseconds), then 14 longs.
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern int getrusage(int who, [System.Runtime.InteropServices.Out] long[] usage);
}

/// <summary>CPU ms per process during one run, and its wall-clock length.</summary>
internal sealed record CpuUse(IReadOnlyDictionary<string, double> Ms, double WallMs)
{
    public double PerRequestUs(string process, double requests) => Ms.TryGetValue(process, out var ms) && requests > 0 ? ms * 1000 / requests : double.NaN;
    public double Cores(string process) => Ms.TryGetValue(process, out var ms) ? ms / WallMs : double.NaN;
}

/// <summary>The largest VmRSS of a process while it is watched (sampled every 50 ms).</summary>
internal sealed class RssPeak : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ChildProcess _process;
    private readonly Task _sampling;
    public double Mb { get; private set; }

    public RssPeak(ChildProcess process)
    {
        _process = process;
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Mb = Math.Max(Mb, process.RssMb());
                try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sampling;
        _stop.Dispose();
        Mb = Math.Max(Mb, _process.RssMb());
    }
}
