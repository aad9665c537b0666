using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.LoadTest;

// loadtest --gateway DLL --upstream DLL --out docs/benchmarks.md [--quick] [--reps N] [--only NAME,...]
// Normally run through bench/run.sh, which builds everything in Release first.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = RunOptions.Parse(args);
Console.CancelKeyPress += (_, e) => { ChildProcess.KillAll(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();
try
{
    var report = await new BenchmarkRun(options).RunAsync();
    ReportWriter.Write(options.Output, report);
    Console.WriteLine($"wrote {options.Output}");
    return 0;
}
finally
{
    ChildProcess.KillAll();
}

internal sealed record RunOptions(string GatewayDll, string UpstreamDll, string Output, bool Quick, int Reps, string WorkDir, HashSet<string> Only, Dictionary<string, string> GatewayEnv, int[] Rates, string? ScenarioFilter)
{
    /// <summary>A/B mode (latency runs only, console output): a second gateway, another build and/or environment, measured interleaved with the first.</summary>
    public string? CompareDll { get; init; }
    public Dictionary<string, string> CompareEnv { get; init; } = [];
    public bool Compares => CompareDll is not null || CompareEnv.Count > 0;

    public TimeSpan Duration => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(3);
    public TimeSpan Warmup => TimeSpan.FromSeconds(0.5);
    public bool Runs(string part) => Only.Count == 0 || Only.Contains(part);

    public static RunOptions Parse(string[] args)
    {
        string? gateway = null, upstream = null, output = "docs/benchmarks.md", work = null, only = null;
        var quick = false;
        int? reps = null;
        var env = new Dictionary<string, string>();
        var compareEnv = new Dictionary<string, string>();
        string? compareDll = null;
        int[] rates = [500, 1000, 2000];
        string? scenarios = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--gateway": gateway = args[++i]; break;
                case "--upstream": upstream = args[++i]; break;
                case "--out": output = args[++i]; break;
                case "--work": work = args[++i]; break;
                case "--quick": quick = true; break;
                case "--reps": reps = int.Parse(args[++i]); break;
                case "--only": only = args[++i]; break;
                case "--rates": rates = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--scenarios": scenarios = args[++i]; break;
                case "--gateway-env": var kv = args[++i].Split('=', 2); env[kv[0]] = kv[1]; break;
                case "--b-gateway": compareDll = Path.GetFullPath(args[++i]); break;
                case "--b-env": var bkv = args[++i].Split('=', 2); compareEnv[bkv[0]] = bkv[1]; break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (gateway is null || upstream is null) throw new ArgumentException("usage: loadtest --gateway switchboard.dll --upstream fake-upstream.dll [--out FILE] [--quick] [--reps N] [--only latency,throughput,streams,memory,routing,nolog] [--gateway-env NAME=VALUE]... [--rates 500,1000] [--scenarios TEXT] [--b-gateway DLL] [--b-env NAME=VALUE]...");
        work ??= Directory.CreateTempSubdirectory("switchboard-bench-").FullName;
        return new RunOptions(Path.GetFullPath(gateway), Path.GetFullPath(upstream), Path.GetFullPath(output), quick, reps ?? (quick ? 1 : 3), work,
            only is null ? [] : only.Split(',').ToHashSet(), env, rates, scenarios) { CompareDll = compareDll, CompareEnv = compareEnv };
    }
}

/// <summary>A client API → provider API pairing, and how to call it directly and through the gateway.</summary>
internal sealed record Scenario(string Name, Target Direct, Target Gateway);

internal sealed record LatencyRow(string Scenario, int Rate, List<LatencyResult> Direct, List<LatencyResult> Gateway)
{
    /// <summary>The gateway process's CPU time per request (user + system), µs.</summary>
    public List<double> GatewayCpuUs { get; } = [];
    /// <summary>The gateway's garbage collections during each run, and their total pause, ms (from /healthz?verbose).</summary>
    public List<(int Collections, double PauseMs)> GatewayGc { get; } = [];
}
internal sealed record ThroughputRow(string Scenario, List<double> Direct, List<double> Gateway, List<int> GatewayErrors);
internal sealed record StreamRow(string Scenario, List<StreamResult> Direct, List<StreamResult> Gateway);
internal sealed record MemoryRow(string What, double GatewayMb, double UpstreamMb, string Note);
internal sealed record RoutingRow(string What, double P50, double P99, int Count);

internal sealed class Report
{
    public string Machine = "";
    public string Date = "";
    public string Commit = "";
    public string Dotnet = "";
    public RunOptions Options = null!;
    public List<LatencyRow> Latency = [];
    public List<ThroughputRow> Throughput = [];
    public List<StreamRow> Streams = [];
    public List<MemoryRow> Memory = [];
    public List<RoutingRow> Routing = [];
    public List<LatencyRow> NoLogLatency = [];
    public List<ThroughputRow> NoLogThroughput = [];
    public double LoadAvgBefore;
    public TimeSpan Elapsed;
}

internal sealed class BenchmarkRun(RunOptions options)
{
    private const int StreamChunks = 20, StreamGapMs = 5;
    private int _upstreamPort, _gatewayPort, _comparePort;
    private ChildProcess? _upstream, _gateway, _compare;
    private readonly Report _report = new() { Options = options };

    public async Task<Report> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        _report.Machine = Machine.Describe();
        _report.Date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        _report.Commit = Machine.Run("git", "rev-parse --short HEAD").Trim();
        _report.Dotnet = Machine.Run("dotnet", "--version").Trim();
        _report.LoadAvgBefore = Machine.LoadAverage();
        Console.WriteLine($"machine: {_report.Machine}; load average {_report.LoadAvgBefore:0.00}; work dir {options.WorkDir}");

        _upstreamPort = ChildProcess.FreePort();
        _upstream = ChildProcess.Start("fake upstream", options.UpstreamDll, $"--port {_upstreamPort}", Path.Combine(options.WorkDir, "upstream.log"));
        await _upstream.WaitReadyAsync(new Uri($"http://127.0.0.1:{_upstreamPort}/healthz"));

        var configPath = Path.Combine(options.WorkDir, "gateway.yaml");
        File.WriteAllText(configPath, GatewayConfig(_upstreamPort));
        await StartGatewayAsync(configPath, logging: true);
        if (options.Compares) await StartCompareGatewayAsync(configPath);
        await Task.Delay(2000);
        if (options.Runs("memory"))
            _report.Memory.Add(new MemoryRow("idle, after start-up", _gateway!.RssMb(), _upstream.RssMb(), "before any request"));

        using var client = Load.NewClient();
        var scenarios = Scenarios(_upstreamPort, _gatewayPort, stream: false);
        await WarmUpAsync(client, scenarios);

        if (options.Runs("latency"))
            foreach (var s in scenarios)
                foreach (var rate in options.Rates)
                    _report.Latency.Add(await LatencyAsync(client, s, rate));

        if (options.Runs("throughput"))
            foreach (var s in scenarios)
                _report.Throughput.Add(await ThroughputAsync(s));

        if (options.Runs("streams"))
        {
            var streaming = Scenarios(_upstreamPort, _gatewayPort, stream: true);
            await WarmUpAsync(client, streaming, streams: true);
            foreach (var s in streaming)
                _report.Streams.Add(await StreamsAsync(client, s));
        }

        if (options.Runs("memory"))
        {
            await Task.Delay(1000);
            _report.Memory.Add(new MemoryRow("idle, after the load above", _gateway!.RssMb(), _upstream.RssMb(), "warm: pools, JIT, GC heap grown"));
            await OpenStreamsAsync(Scenarios(_upstreamPort, _gatewayPort, stream: true, hold: true));
        }

        if (options.Runs("routing"))
            await RoutingAsync(client);

        if (options.Runs("nolog"))
        {
            StopGateway();
            await StartGatewayAsync(configPath, logging: false);
            using var fresh = Load.NewClient();
            var openai = AllScenarios(_upstreamPort, _gatewayPort, stream: false).Take(1).ToList();
            await WarmUpAsync(fresh, openai);
            foreach (var rate in options.Rates)
                _report.NoLogLatency.Add(await LatencyAsync(fresh, openai[0], rate));
            _report.NoLogThroughput.Add(await ThroughputAsync(openai[0]));
        }

        StopGateway();
        _compare?.Dispose();
        _upstream.Dispose();
        _report.Elapsed = clock.Elapsed;
        return _report;
    }

    private async Task StartGatewayAsync(string configPath, bool logging)
    {
        _gatewayPort = ChildProcess.FreePort();
        var env = new Dictionary<string, string>(options.GatewayEnv);
        if (!logging) env["Logging__LogLevel__Switchboard"] = "Warning";
        _gateway = ChildProcess.Start("gateway", options.GatewayDll, $"up --config '{configPath}' --port {_gatewayPort}",
            Path.Combine(options.WorkDir, logging ? "gateway.log" : "gateway-nolog.log"), env);
        await _gateway.WaitReadyAsync(new Uri($"http://127.0.0.1:{_gatewayPort}/healthz"));
    }

    private async Task StartCompareGatewayAsync(string configPath)
    {
        _comparePort = ChildProcess.FreePort();
        var env = new Dictionary<string, string>(options.GatewayEnv);
        foreach (var (k, v) in options.CompareEnv) env[k] = v;
        _compare = ChildProcess.Start("gateway B", options.CompareDll ?? options.GatewayDll, $"up --config '{configPath}' --port {_comparePort}",
            Path.Combine(options.WorkDir, "gateway-b.log"), env);
        await _compare.WaitReadyAsync(new Uri($"http://127.0.0.1:{_comparePort}/healthz"));
    }

    /// <summary>The same scenario pointed at gateway B.</summary>
    private Scenario CompareScenario(Scenario s) =>
        AllScenarios(_upstreamPort, _comparePort, stream: false).Single(c => c.Name == s.Name);

    private void StopGateway()
    {
        _gateway?.Dispose();
        _gateway = null;
    }

    private async Task WarmUpAsync(HttpClient client, IEnumerable<Scenario> scenarios, bool streams = false)
    {
        Console.WriteLine("warming up (JIT, connection pools)…");
        foreach (var s in scenarios)
            foreach (var t in new[] { s.Direct, s.Gateway })
            {
                if (streams) await Load.StreamsAsync(client, t, 50, TimeSpan.FromSeconds(1));
                else await Load.FixedRateAsync(client, t, 1000, TimeSpan.Zero, TimeSpan.FromSeconds(options.Quick ? 1 : 2));
            }
    }

    private async Task<LatencyRow> LatencyAsync(HttpClient client, Scenario s, int rate)
    {
        var row = new LatencyRow(s.Name, rate, [], []);
        var b = options.Compares ? CompareScenario(s) : null;
        if (b is not null) await Load.FixedRateAsync(client, b.Gateway, 1000, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        List<double> aAdded = [], bAdded = [];
        for (var rep = 0; rep < options.Reps; rep++)
        {
            // Interleaved, so slow drifts in the machine's load hit both sides alike.
            row.Direct.Add(await Load.FixedRateAsync(client, s.Direct, rate, options.Warmup, options.Duration));
            // A/B: direct, A, B, direct on even repetitions and direct, B, A, direct on odd ones, so neither side always goes first.
            LatencyResult? bResult = null;
            double bCpuUs = 0;
            if (b is not null && rep % 2 == 1) (bResult, bCpuUs) = await RunCompareAsync();
            var cpu = _gateway!.CpuMs();
            var gc = await GcReading.ReadAsync(client, _gatewayPort);
            row.Gateway.Add(await Load.FixedRateAsync(client, s.Gateway, rate, options.Warmup, options.Duration));
            row.GatewayCpuUs.Add((_gateway.CpuMs() - cpu) * 1000 / (rate * (options.Warmup + options.Duration).TotalSeconds));
            row.GatewayGc.Add((await GcReading.ReadAsync(client, _gatewayPort)).Since(gc));
            Console.WriteLine($"{s.Name} @ {rate}/s rep {rep + 1}: direct p50 {row.Direct[^1].P50:0.000} p99 {row.Direct[^1].P99:0.000} | gateway p50 {row.Gateway[^1].P50:0.000} p99 {row.Gateway[^1].P99:0.000} ms (errors {row.Gateway[^1].Errors}, lag p99 {row.Gateway[^1].LagP99:0.0} ms, gateway CPU {row.GatewayCpuUs[^1]:0} µs/request, {row.GatewayGc[^1].Collections} GCs paused {row.GatewayGc[^1].PauseMs:0.0} ms)");
            if (b is not null)
            {
                if (bResult is null) (bResult, bCpuUs) = await RunCompareAsync();
                var direct = await Load.FixedRateAsync(client, s.Direct, rate, options.Warmup, options.Duration);
                // Both gateways are compared with the mean of the direct runs around them.
                var directMean = (row.Direct[^1].P50 + direct.P50) / 2;
                aAdded.Add(row.Gateway[^1].P50 - directMean);
                bAdded.Add(bResult.P50 - directMean);
                Console.WriteLine($"    B @ {rate}/s rep {rep + 1}{(rep % 2 == 1 ? " (ran before A)" : "")}: gateway B p50 {bResult.P50:0.000} p99 {bResult.P99:0.000} ms, direct again p50 {direct.P50:0.000} (errors {bResult.Errors}, gateway B CPU {bCpuUs:0} µs/request); added p50 A {aAdded[^1]:0.000} B {bAdded[^1]:0.000}");
            }
        }
        if (b is not null)
            Console.WriteLine($"A/B {s.Name} @ {rate}/s: median added p50 A {Load.Median(aAdded):0.000} ms, B {Load.Median(bAdded):0.000} ms");
        return row;

        async Task<(LatencyResult, double)> RunCompareAsync()
        {
            var before = _compare!.CpuMs();
            var result = await Load.FixedRateAsync(client, b!.Gateway, rate, options.Warmup, options.Duration);
            return (result, (_compare.CpuMs() - before) * 1000 / (rate * (options.Warmup + options.Duration).TotalSeconds));
        }
    }

    private async Task<ThroughputRow> ThroughputAsync(Scenario s)
    {
        var row = new ThroughputRow(s.Name, [], [], []);
        for (var rep = 0; rep < options.Reps; rep++)
        {
            var (direct, _) = await Wrk.RunAsync(s.Direct, options.WorkDir, options.Duration);
            var (gateway, errors) = await Wrk.RunAsync(s.Gateway, options.WorkDir, options.Duration);
            row.Direct.Add(direct);
            row.Gateway.Add(gateway);
            row.GatewayErrors.Add(errors);
            Console.WriteLine($"{s.Name} max throughput rep {rep + 1}: direct {direct:0} req/s, gateway {gateway:0} req/s (non-2xx {errors})");
        }
        return row;
    }

    private async Task<StreamRow> StreamsAsync(HttpClient client, Scenario s)
    {
        var row = new StreamRow(s.Name, [], []);
        var b = options.Compares ? AllScenarios(_upstreamPort, _comparePort, stream: true).Single(c => c.Name == s.Name) : null;
        if (b is not null) await Load.StreamsAsync(client, b.Gateway, 50, TimeSpan.FromSeconds(1));
        for (var rep = 0; rep < options.Reps; rep++)
        {
            row.Direct.Add(await Load.StreamsAsync(client, s.Direct, 100, options.Duration));
            row.Gateway.Add(await Load.StreamsAsync(client, s.Gateway, 100, options.Duration));
            Console.WriteLine($"{s.Name} streams rep {rep + 1}: TTFT p50 direct {row.Direct[^1].TtftP50:0.000} gateway {row.Gateway[^1].TtftP50:0.000}; chunk delay p50 direct {row.Direct[^1].ChunkP50:0.000} gateway {row.Gateway[^1].ChunkP50:0.000} ms (errors {row.Gateway[^1].Errors}, chunks {row.Gateway[^1].ChunksPerStream})");
            if (b is not null)
            {
                var bResult = await Load.StreamsAsync(client, b.Gateway, 100, options.Duration);
                Console.WriteLine($"    B streams rep {rep + 1}: TTFT p50 gateway B {bResult.TtftP50:0.000}; chunk delay p50 gateway B {bResult.ChunkP50:0.000} ms (errors {bResult.Errors}); added TTFT A {row.Gateway[^1].TtftP50 - row.Direct[^1].TtftP50:0.000} B {bResult.TtftP50 - row.Direct[^1].TtftP50:0.000}, chunk A {row.Gateway[^1].ChunkP50 - row.Direct[^1].ChunkP50:0.000} B {bResult.ChunkP50 - row.Direct[^1].ChunkP50:0.000}");
            }
        }
        return row;
    }

    /// <summary>1,000 concurrent open streams through the gateway: the gateway's and the upstream's RSS while they are all open.</summary>
    private async Task OpenStreamsAsync(IReadOnlyList<Scenario> holds)
    {
        foreach (var s in holds.Where(h => h.Name != "Anthropic passthrough"))
        {
            const int count = 1000;
            using var client = Load.NewClient();
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var cts = new CancellationTokenSource();
            var firstChunk = 0;
            long chunks = 0;
            var errors = 0;
            var tasks = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                tasks.Add(Task.Run(async () =>
                {
                    var seen = false;
                    try
                    {
                        using var request = s.Gateway.NewRequest();
                        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                        if (response.StatusCode != System.Net.HttpStatusCode.OK) { Interlocked.Increment(ref errors); return; }
                        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
                        await Load.ReadChunksAsync(body, Stopwatch.GetTimestamp(), null, cts.Token, () =>
                        {
                            if (!seen) { seen = true; Interlocked.Increment(ref firstChunk); }
                            Interlocked.Increment(ref chunks);
                        });
                    }
                    catch (OperationCanceledException) when (cts.IsCancellationRequested) { }
                    catch (Exception) { Interlocked.Increment(ref errors); }
                }));
                if (i % 50 == 49) await Task.Delay(50); // ~1,000 opened per second
            }
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
            while (Volatile.Read(ref firstChunk) + Volatile.Read(ref errors) < count && Stopwatch.GetTimestamp() < deadline) await Task.Delay(100);
            await Task.Delay(2000);
            var before = Interlocked.Read(ref chunks);
            double gw = 0, up = 0;
            for (var i = 0; i < 3; i++)
            {
                gw = Math.Max(gw, _gateway!.RssMb());
                up = Math.Max(up, _upstream!.RssMb());
                await Task.Delay(500);
            }
            var rate = (Interlocked.Read(ref chunks) - before) / 1.5;
            var open = Volatile.Read(ref firstChunk);
            Console.WriteLine($"{count} open streams ({s.Name}): {open} open, {errors} errors, {rate:0} chunks/s flowing; gateway RSS {gw:0.0} MB, upstream RSS {up:0.0} MB");
            _report.Memory.Add(new MemoryRow($"{count:N0} concurrent open streams, {s.Name}", gw, up,
                $"{open} streams open, {errors} errors, {rate:0} chunks/s flowing (1 chunk/s each)"));
            cts.Cancel();
            try { await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(20)); } catch (TimeoutException) { }
            await Task.Delay(2000);
        }
        _report.Memory.Add(new MemoryRow("idle, after the streams closed", _gateway!.RssMb(), _upstream!.RssMb(), ""));
    }

    private async Task RoutingAsync(HttpClient client)
    {
        var routeUrl = new Uri($"http://127.0.0.1:{_gatewayPort}/v1/route");
        var prompts = new[]
        {
            "Write a new Python function that parses ISO dates and returns a datetime, with tests ({0}).",
            "Can you explain what this code does and why the loop never terminates? def f(x): while x: x = x >> 1 ({0})",
            "What is the capital of France? ({0})",
            "Refactor this class to use dependency injection and generate the boilerplate for the interfaces ({0}).",
        };
        byte[] Body(string text) => Load.Utf8(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "claude-opus-4-1", ["max_tokens"] = 1024,
            ["messages"] = new object[] { new Dictionary<string, object> { ["role"] = "user", ["content"] = text } },
        }, RoutingJson.Default.DictionaryStringObject));
        var headers = new[] { ("anthropic-version", "2023-06-01") };

        async Task<RoutingRow> DryRunAsync(string what, Func<int, string> text, int n)
        {
            var values = new List<double>();
            for (var i = 0; i < n; i++)
            {
                using var request = new Target("route", routeUrl, Body(text(i)), headers).NewRequest();
                using var response = await client.SendAsync(request);
                using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
                values.Add(doc.RootElement.GetProperty("latency_ms").GetDouble());
            }
            var sorted = values.Order().ToArray();
            return new RoutingRow(what, Load.Pct(sorted, 50), Load.Pct(sorted, 99), sorted.Length);
        }

        var uncached = await DryRunAsync("POST /v1/route `latency_ms`, each conversation new (router runs)", i => string.Format(prompts[i % prompts.Length], $"run {Guid.NewGuid():N}"), 400);
        var cached = await DryRunAsync("POST /v1/route `latency_ms`, repeated conversation (decision cache hit)", i => string.Format(prompts[i % prompts.Length], "same"), 400);

        // Routed completions: model "claude-opus-4-1" is not configured, so the embedded router picks; decision_ms is logged.
        var logBefore = new FileInfo(_gateway!.LogPath).Length;
        var messagesUrl = new Uri($"http://127.0.0.1:{_gatewayPort}/v1/messages");
        var n = 0;
        var routed = new Target("routed", messagesUrl, [], headers) { BodyFactory = () => Body(string.Format(prompts[Interlocked.Increment(ref n) % prompts.Length], $"run {Guid.NewGuid():N}")) };
        var routedLatency = await Load.FixedRateAsync(client, routed, 500, TimeSpan.FromSeconds(0.5), options.Duration);
        await Task.Delay(1500); // the console logger writes on its own thread
        var decisions = ReadDecisionMs(_gateway.LogPath, logBefore).Order().ToArray();
        _report.Routing.Add(new RoutingRow("`decision_ms` in the gateway log, routed /v1/messages requests at 500/s, each conversation new", Load.Pct(decisions, 50), Load.Pct(decisions, 99), decisions.Length));
        _report.Routing.Add(uncached);
        _report.Routing.Add(cached);
        _report.Routing.Add(new RoutingRow("whole routed request through the gateway at 500/s (client-side latency)", routedLatency.P50, routedLatency.P99, routedLatency.Count));
        Console.WriteLine($"routing: decision_ms p50 {Load.Pct(decisions, 50):0.000} p99 {Load.Pct(decisions, 99):0.000} ({decisions.Length}); /v1/route p50 {uncached.P50:0.000} cached {cached.P50:0.000}; routed request p50 {routedLatency.P50:0.000} p99 {routedLatency.P99:0.000}");
    }

    private static IEnumerable<double> ReadDecisionMs(string path, long from)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(from, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var at = line.IndexOf("decision_ms=", StringComparison.Ordinal);
            if (at < 0) continue;
            var end = line.IndexOf(' ', at);
            var value = end < 0 ? line[(at + 12)..] : line[(at + 12)..end];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) yield return v;
        }
    }

    private static string GatewayConfig(int upstream) => $"""
        # Generated by bench/Switchboard.LoadTest: every model points at the fake upstream on 127.0.0.1.
        version: v1
        listeners:
          - name: llm
            address: 127.0.0.1
            port: 12000
        model_providers:
          - model: openai/gpt-bench
            access_key: sk-bench
            base_url: http://127.0.0.1:{upstream}/v1
            default: true
            routing_preferences:
              - name: code generation
                description: generating new code snippets, functions, classes and boilerplate
          - model: anthropic/claude-bench
            access_key: sk-ant-bench
            base_url: http://127.0.0.1:{upstream}/v1
            routing_preferences:
              - name: code understanding
                description: explaining and analyzing existing code, reading stack traces and finding bugs
          - model: openai/gpt-stream
            access_key: sk-bench
            base_url: http://127.0.0.1:{upstream}/s{StreamChunks}x{StreamGapMs}/v1
          - model: anthropic/claude-stream
            access_key: sk-ant-bench
            base_url: http://127.0.0.1:{upstream}/s{StreamChunks}x{StreamGapMs}/v1
          - model: openai/gpt-hold
            access_key: sk-bench
            base_url: http://127.0.0.1:{upstream}/s90x1000/v1
          - model: anthropic/claude-hold
            access_key: sk-ant-bench
            base_url: http://127.0.0.1:{upstream}/s90x1000/v1
        routing:
          router: embedded
        """;

    /// <summary>
    /// The three pairings. A realistic small request (system prompt, a few turns, ~1.6 KB). The direct baseline for
    /// the translated pairing is what the client would do without a gateway: call the OpenAI-format upstream itself.
    /// </summary>
    private List<Scenario> Scenarios(int upstream, int gateway, bool stream, bool hold = false) =>
        AllScenarios(upstream, gateway, stream, hold).Where(s => options.ScenarioFilter is null || s.Name.Contains(options.ScenarioFilter, StringComparison.OrdinalIgnoreCase)).ToList();

    private static List<Scenario> AllScenarios(int upstream, int gateway, bool stream, bool hold = false)
    {
        var shape = hold ? "/s90x1000" : stream ? $"/s{StreamChunks}x{StreamGapMs}" : "";
        var suffix = hold ? "hold" : stream ? "stream" : "bench";
        var up = $"http://127.0.0.1:{upstream}{shape}/v1";
        var gw = $"http://127.0.0.1:{gateway}/v1";
        var anthropicHeaders = new[] { ("anthropic-version", "2023-06-01"), ("x-api-key", "sk-ant-bench") };
        var openaiHeaders = new[] { ("authorization", "Bearer sk-bench") };
        return
        [
            new Scenario("OpenAI passthrough",
                new Target("direct", new Uri(up + "/chat/completions"), Bodies.OpenAI($"gpt-{suffix}", stream), openaiHeaders),
                new Target("gateway", new Uri(gw + "/chat/completions"), Bodies.OpenAI($"openai/gpt-{suffix}", stream), openaiHeaders)),
            new Scenario("Anthropic passthrough",
                new Target("direct", new Uri(up + "/messages"), Bodies.Anthropic($"claude-{suffix}", stream), anthropicHeaders),
                new Target("gateway", new Uri(gw + "/messages"), Bodies.Anthropic($"anthropic/claude-{suffix}", stream), anthropicHeaders)),
            new Scenario("Anthropic client → OpenAI provider (translated)",
                new Target("direct", new Uri(up + "/chat/completions"), Bodies.OpenAI($"gpt-{suffix}", stream), openaiHeaders),
                new Target("gateway", new Uri(gw + "/messages"), Bodies.Anthropic($"openai/gpt-{suffix}", stream), anthropicHeaders)),
        ];
    }
}

internal static class Bodies
{
    private const string System = "You are a careful senior engineer. Answer concisely, show code when it helps, and explain trade-offs. Prefer the standard library; never invent APIs. When unsure, say so and suggest how to check.";
    private static readonly string[] Turns =
    [
        "I have a C# service that reads orders from a queue and writes them to PostgreSQL. Under load the p99 latency jumps to two seconds. Where would you start?",
        "Start by measuring where the time goes: queue wait, deserialization, the database round trip, and connection pool waits. Enable Npgsql's metrics and look at pool wait time first; a pool that is too small is the usual culprit.",
        "The pool wait is near zero. The database round trip is 3 ms at p50 but 1.8 s at p99. The table has 40 million rows and an index on (customer_id, created_at). What next?",
    ];

    public static byte[] OpenAI(string model, bool stream)
    {
        var messages = new List<object> { new Dictionary<string, string> { ["role"] = "system", ["content"] = System } };
        for (var i = 0; i < Turns.Length; i++) messages.Add(new Dictionary<string, string> { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = Turns[i] });
        var body = new Dictionary<string, object> { ["model"] = model, ["max_tokens"] = 1024, ["temperature"] = 0.2, ["messages"] = messages };
        if (stream) { body["stream"] = true; body["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true }; }
        return Load.Utf8(JsonSerializer.Serialize(body, RoutingJson.Default.DictionaryStringObject));
    }

    public static byte[] Anthropic(string model, bool stream)
    {
        var messages = new List<object>();
        for (var i = 0; i < Turns.Length; i++) messages.Add(new Dictionary<string, string> { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = Turns[i] });
        var body = new Dictionary<string, object> { ["model"] = model, ["max_tokens"] = 1024, ["temperature"] = 0.2, ["system"] = System, ["messages"] = messages };
        if (stream) body["stream"] = true;
        return Load.Utf8(JsonSerializer.Serialize(body, RoutingJson.Default.DictionaryStringObject));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(object[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
internal sealed partial class RoutingJson : System.Text.Json.Serialization.JsonSerializerContext;
