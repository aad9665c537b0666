using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.LoadTest;

/// <summary>
/// `loadtest overload --body FILE --path /v1/... [--header NAME:VALUE]... --gw PID:PORT [--upstream-port N] [--rate 1000]
/// [--seconds 10]`: one gateway you started, driven open loop at a rate it cannot serve (requests start on schedule
/// whatever happened to earlier ones, as clients of a shared gateway do), while its RSS, threads and connections to the
/// upstream port are sampled every 100 ms. Prints answered / shed (503, 529) / failed counts, the answered requests'
/// p50 and p99, and the peaks: what grows under overload, and where it stops (bench/overload.sh).
/// </summary>
internal static class Overload
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? bodyPath = null, path = null;
        int rate = 1000, upstreamPort = 0;
        double seconds = 10;
        var headers = new List<(string, string)>();
        (int Pid, int Port) gateway = default;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--body": bodyPath = args[++i]; break;
                case "--path": path = args[++i]; break;
                case "--header": var h = args[++i].Split(':', 2); headers.Add((h[0], h[1])); break;
                case "--gw": var g = args[++i].Split(':'); gateway = (int.Parse(g[0], CultureInfo.InvariantCulture), int.Parse(g[1], CultureInfo.InvariantCulture)); break;
                case "--upstream-port": upstreamPort = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rate": rate = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException("overload: unknown option " + args[i]);
            }
        }
        if (bodyPath is null || path is null || gateway.Pid == 0) throw new ArgumentException("overload needs --body, --path and --gw PID:PORT");
        var target = new Target("gw", new Uri($"http://127.0.0.1:{gateway.Port}{path}"), await File.ReadAllBytesAsync(bodyPath), [.. headers]);
        using var client = Load.NewClient();
        client.Timeout = TimeSpan.FromSeconds(120);

        var total = (int)(rate * seconds);
        var latencies = new double[total];
        var statuses = new int[total];
        var tasks = new Task[total];
        var inFlight = 0;
        var peak = new Peaks();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak.Sample(gateway.Pid, upstreamPort, Volatile.Read(ref inFlight));
                await Task.Delay(100).ConfigureAwait(false);
            }
        });
        var cpuBefore = ChildProcess.ProcessCpuMs(gateway.Pid);
        var started = Stopwatch.GetTimestamp();
        await Pacer.RunAsync(total, rate, (index, _) => tasks[index] = SendAsync(index));
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = ChildProcess.ProcessCpuMs(gateway.Pid) - cpuBefore;
        stop.Cancel();
        await sampler;

        async Task SendAsync(int index)
        {
            Interlocked.Increment(ref inFlight);
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                using var request = target.NewRequest();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                statuses[index] = (int)response.StatusCode;
            }
            catch
            {
                statuses[index] = -1; // no answer: refused, reset, or the client's own timeout
            }
            latencies[index] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            Interlocked.Decrement(ref inFlight);
        }

        var ok = Enumerable.Range(0, total).Where(i => statuses[i] == (int)HttpStatusCode.OK).Select(i => latencies[i]).Order().ToArray();
        var shed = Enumerable.Range(0, total).Where(i => statuses[i] is 503 or 529).Select(i => latencies[i]).Order().ToArray();
        var failed = total - ok.Length - shed.Length;
        var other = statuses.Where(s => s is not 200 and not 503 and not 529).GroupBy(s => s).Select(g => $"{(g.Key < 0 ? "no answer" : g.Key.ToString(CultureInfo.InvariantCulture))}×{g.Count()}");
        Console.WriteLine($"rate {rate}/s for {seconds:0.#} s ({total} requests, {elapsed:0.0} s to the last answer): answered {ok.Length}, shed {shed.Length}, failed {failed} [{string.Join(", ", other)}]");
        Console.WriteLine($"answered p50 {Load.Pct(ok, 50):0} ms, p99 {Load.Pct(ok, 99):0} ms; shed p99 {Load.Pct(shed, 99):0.0} ms; gateway CPU {cpu / 1000:0.0} s");
        Console.WriteLine($"peaks: RSS {peak.RssMb} MB, threads {peak.Threads}, client requests in flight {peak.ClientInFlight}, gateway connections to the upstream {peak.UpstreamConnections}; RSS at the end {Peaks.RssOf(gateway.Pid)} MB (load average {File.ReadAllText("/proc/loadavg")[..14]})");
        return 0;
    }

    /// <summary>The largest RSS, thread count and connection counts seen.</summary>
    private sealed class Peaks
    {
        public long RssMb, Threads, ClientInFlight, UpstreamConnections;

        public void Sample(int pid, int upstreamPort, int clientInFlight)
        {
            RssMb = Math.Max(RssMb, RssOf(pid));
            Threads = Math.Max(Threads, StatusField(pid, "Threads:"));
            ClientInFlight = Math.Max(ClientInFlight, clientInFlight);
            if (upstreamPort > 0) UpstreamConnections = Math.Max(UpstreamConnections, ConnectionsTo(upstreamPort));
        }

        public static long RssOf(int pid) => StatusField(pid, "VmRSS:") / 1024;

        private static long StatusField(int pid, string name)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                    if (line.StartsWith(name, StringComparison.Ordinal))
                        return long.Parse(line.AsSpan(name.Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            return 0;
        }

        /// <summary>Established loopback connections whose remote end is the upstream's port (/proc/net/tcp, state 01).</summary>
        private static long ConnectionsTo(int port)
        {
            var hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
            long count = 0;
            foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                if (!File.Exists(file)) continue;
                foreach (var line in File.ReadLines(file).Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length > 3 && fields[3] == "01" && fields[2].EndsWith(hexPort, StringComparison.Ordinal)) count++;
                }
            }
            return count;
        }
    }
}
