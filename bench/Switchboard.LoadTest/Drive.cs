using System.Globalization;

namespace Switchboard.LoadTest;

/// <summary>
/// `loadtest drive --body FILE --path /v1/... [--header NAME:VALUE]... --gw PID:PORT [--gw PID:PORT]... [--rate 200]
/// [--seconds 3] [--reps 5] [--warmup 2] [--streams]`: gateways you started yourself (a profiler attached, another build, another
/// environment), driven at a fixed rate in turn (A B, then B A, …), each run's CPU per request (/proc/PID/stat) and p50
/// printed, then the medians. For A/B pairs of one change without the whole harness. With <c>--streams</c> the body
/// asks for a stream (a model the fake upstream streams, e.g. 20 chunks 5 ms apart): CPU per chunk and the chunk
/// delay p50 instead.
/// </summary>
internal static class Drive
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? bodyPath = null, path = null;
        int rate = 200, reps = 5;
        double seconds = 3, warmup = 2;
        var streams = false;
        var headers = new List<(string, string)>();
        var gateways = new List<(int Pid, int Port)>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--body": bodyPath = args[++i]; break;
                case "--path": path = args[++i]; break;
                case "--header": var h = args[++i].Split(':', 2); headers.Add((h[0], h[1])); break;
                case "--gw": var g = args[++i].Split(':'); gateways.Add((int.Parse(g[0], CultureInfo.InvariantCulture), int.Parse(g[1], CultureInfo.InvariantCulture))); break;
                case "--rate": rate = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--streams": streams = true; break;
                case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException("drive: unknown option " + args[i]);
            }
        }
        if (bodyPath is null || path is null || gateways.Count == 0) throw new ArgumentException("drive needs --body, --path and at least one --gw PID:PORT");
        var body = await File.ReadAllBytesAsync(bodyPath);
        using var client = Load.NewClient();
        var targets = gateways.Select(g => new Target($"{g.Pid}", new Uri($"http://127.0.0.1:{g.Port}{path}"), body, [.. headers])).ToArray();
        if (streams) return await StreamsAsync(client, gateways, targets, rate, seconds, reps, warmup);
        // Warm-up: long enough for tiered compilation to settle, or its background JIT is counted as the gateway's CPU.
        foreach (var t in targets) await Load.FixedRateAsync(client, t, rate, TimeSpan.Zero, TimeSpan.FromSeconds(warmup));
        var cpu = gateways.Select(_ => new List<double>()).ToArray();
        var p50 = gateways.Select(_ => new List<double>()).ToArray();
        for (var rep = 0; rep < reps; rep++)
        {
            var order = Enumerable.Range(0, gateways.Count);
            foreach (var k in rep % 2 == 0 ? order : order.Reverse())
            {
                var before = ChildProcess.ProcessCpuMs(gateways[k].Pid);
                var result = await Load.FixedRateAsync(client, targets[k], rate, TimeSpan.Zero, TimeSpan.FromSeconds(seconds));
                var perRequest = (ChildProcess.ProcessCpuMs(gateways[k].Pid) - before) * 1000 / (rate * seconds);
                cpu[k].Add(perRequest);
                p50[k].Add(result.P50);
                Console.WriteLine($"rep {rep + 1} gw {(char)('A' + k)} (pid {gateways[k].Pid}): CPU {perRequest:0} µs/request, p50 {result.P50:0.000} ms, p99 {result.P99:0.000} ms, errors {result.Errors}");
            }
        }
        for (var k = 0; k < gateways.Count; k++)
            Console.WriteLine($"gw {(char)('A' + k)}: CPU µs/request median {Load.Median(cpu[k]):0} [{string.Join(", ", cpu[k].Select(c => c.ToString("0", CultureInfo.InvariantCulture)))}], p50 median {Load.Median(p50[k]):0.000} ms");
        return 0;
    }

    private static async Task<int> StreamsAsync(HttpClient client, List<(int Pid, int Port)> gateways, Target[] targets, int rate, double seconds, int reps, double warmup)
    {
        foreach (var t in targets) await Load.StreamsAsync(client, t, rate, TimeSpan.FromSeconds(warmup));
        var cpu = gateways.Select(_ => new List<double>()).ToArray();
        var p50 = gateways.Select(_ => new List<double>()).ToArray();
        for (var rep = 0; rep < reps; rep++)
        {
            var order = Enumerable.Range(0, gateways.Count);
            foreach (var k in rep % 2 == 0 ? order : order.Reverse())
            {
                var before = ChildProcess.ProcessCpuMs(gateways[k].Pid);
                var result = await Load.StreamsAsync(client, targets[k], rate, TimeSpan.FromSeconds(seconds));
                var chunks = Math.Max(1, result.Count * result.ChunksPerStream);
                var perChunk = (ChildProcess.ProcessCpuMs(gateways[k].Pid) - before) * 1000 / chunks;
                cpu[k].Add(perChunk);
                p50[k].Add(result.ChunkP50);
                Console.WriteLine($"rep {rep + 1} gw {(char)('A' + k)} (pid {gateways[k].Pid}): CPU {perChunk:0.0} µs/chunk ({result.Count} streams of {result.ChunksPerStream} chunks), chunk delay p50 {result.ChunkP50:0.000} ms, p99 {result.ChunkP99:0.000} ms, TTFT p50 {result.TtftP50:0.000} ms, errors {result.Errors}");
            }
        }
        for (var k = 0; k < gateways.Count; k++)
            Console.WriteLine($"gw {(char)('A' + k)}: CPU µs/chunk median {Load.Median(cpu[k]):0.0} [{string.Join(", ", cpu[k].Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))}], chunk delay p50 median {Load.Median(p50[k]):0.000} ms");
        return 0;
    }
}
