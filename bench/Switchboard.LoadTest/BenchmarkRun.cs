using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Switchboard.LoadTest;

/// <summary>
/// One benchmark run: starts the fake upstream, nginx in front of it and a gateway per configuration profile, then
/// measures every selected scenario three ways (direct, through nginx, through the gateway), interleaved.
/// </summary>
internal sealed class BenchmarkRun(RunOptions options)
{
    private int _upstreamPort;
    private ChildProcess? _upstream, _nginx;
    private ScenarioFactory _scenarios = null!;
    private readonly Dictionary<GatewayProfile, RunningGateway> _gateways = [], _compares = [];
    private readonly Report _report = new() { Options = options };
    private double _largeLoadGatewayRss, _largeLoadUpstreamRss;

    public async Task<Report> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        _report.Machine = Machine.Describe();
        _report.Date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        _report.Commit = Machine.Run("git", "rev-parse --short HEAD").Trim();
        _report.Dotnet = Machine.Run("dotnet", "--version").Trim();
        _report.Nginx = Machine.Run("nginx", "-v", stderr: true).Trim().Replace("nginx version: ", "");
        _report.LoadAvgBefore = Machine.LoadAverage();
        Console.WriteLine($"machine: {_report.Machine}; load average {_report.LoadAvgBefore:0.00}; work dir {options.WorkDir}");

        var claudeCode = new ClaudeCodeBodies(options.Fixture);
        _report.ClaudeCodeBodies = $"Anthropic form {claudeCode.Anthropic("anthropic/claude-bench", false).Length:N0} bytes, OpenAI form {claudeCode.OpenAI("openai/gpt-bench", false).Length:N0} bytes "
            + $"(the translated pairing's direct and nginx runs send the Anthropic conversation's own OpenAI form, {claudeCode.OpenAIOfAnthropic("gpt-bench", false).Length:N0} bytes)";
        Console.WriteLine($"Claude Code-size bodies: {_report.ClaudeCodeBodies}");

        _upstreamPort = ChildProcess.FreePort();
        _upstream = ChildProcess.StartDotnet("fake upstream", options.UpstreamDll, $"--port {_upstreamPort}", Path.Combine(LogDir, "upstream.log"));
        await _upstream.WaitReadyAsync(new Uri($"http://127.0.0.1:{_upstreamPort}/healthz"));
        var nginxPort = ChildProcess.FreePort();
        _nginx = await Nginx.StartAsync(nginxPort, _upstreamPort, options.WorkDir);
        _scenarios = new ScenarioFactory(_upstreamPort, nginxPort, claudeCode);

        var specs = ScenarioSpec.Select(options.ScenarioFilter, options.Features, options.FeaturesFilter);
        if (specs.Count == 0) throw new ArgumentException($"no scenario matches \"{options.ScenarioFilter}\"; the scenarios are: {string.Join("; ", ScenarioSpec.All.Select(s => s.Name))}");
        var bare = await GatewayAsync(GatewayProfile.Bare);
        foreach (var profile in specs.Select(s => s.Gateway).Distinct())
        {
            await GatewayAsync(profile);
            if (options.Compares) await GatewayAsync(profile, compare: true);
        }
        await Task.Delay(2000);
        if (options.Runs("memory"))
            _report.Memory.Add(new MemoryRow(MemoryPoint.IdleAtStart, "idle, after start-up", bare.Process.RssMb(), _upstream.RssMb(), "before any request"));

        using var client = Load.NewClient();
        var scenarios = await BuildAsync(specs, Shape.Json);
        await WarmUpAsync(client, scenarios);

        if (options.Runs("latency"))
            foreach (var s in scenarios)
                foreach (var rate in options.RatesFor(s.Spec.Size))
                    _report.Latency.Add(await LatencyAsync(client, s, rate));

        if (options.Runs("throughput"))
            foreach (var s in scenarios)
                _report.Throughput.Add(await ThroughputAsync(s));

        if (options.Runs("streams"))
        {
            var streaming = await BuildAsync(specs, Shape.Stream);
            await WarmUpAsync(client, streaming, streams: true);
            foreach (var s in streaming)
                _report.Streams.Add(await StreamsAsync(client, s));
        }

        if (options.Runs("memory"))
        {
            await Task.Delay(1000);
            _report.Memory.Add(new MemoryRow(MemoryPoint.IdleAfterLoad, "idle, after the load above", bare.Process.RssMb(), _upstream.RssMb(), "1 s after it: warm pools, JIT, GC heap grown"));
            // `up` gives memory back once the process has been quiet for three seconds (Hosting/IdleMemoryTrim.cs).
            await Task.Delay(4000);
            _report.Memory.Add(new MemoryRow(MemoryPoint.IdleAfterLoad, "idle, 5 s after the load", bare.Process.RssMb(), _upstream.RssMb(), "after the gateway's idle trim"));
            if (_largeLoadGatewayRss > 0)
                _report.Memory.Add(new MemoryRow(MemoryPoint.LargeRequestLoad, "peak under Claude Code-size load", _largeLoadGatewayRss, _largeLoadUpstreamRss,
                    "largest of 50 ms samples during the Claude Code-size latency and throughput runs through the gateway"));
            var holds = ScenarioSpec.All.Where(s => s.Size == RequestSize.Small && s.Pairing is Pairing.OpenAIPassthrough or Pairing.Translated)
                .Select(s => _scenarios.Build(s, bare.Port, Shape.Hold)).ToList();
            await OpenStreamsAsync(bare.Process, holds);
        }

        if (options.Runs("routing"))
            await RoutingAsync(client, bare);

        if (options.Runs("nolog"))
        {
            StopGateways();
            using var fresh = Load.NewClient();
            var openai = ScenarioSpec.All[0] with { Profile = GatewayProfile.LoggingOff };
            var logOff = await BuildAsync([openai], Shape.Json);
            await WarmUpAsync(fresh, logOff);
            foreach (var rate in options.Rates)
                _report.NoLogLatency.Add(await LatencyAsync(fresh, logOff[0], rate, viaNginx: false));
            _report.NoLogThroughput.Add(await ThroughputAsync(logOff[0], viaNginx: false));
        }

        StopGateways();
        _nginx.Dispose();
        _upstream.Dispose();
        _report.Elapsed = clock.Elapsed;
        return _report;
    }

    /// <summary>
    /// The processes' logs, in a folder of their own: a gateway watches its config's folder, and logs written there (every
    /// gateway's, every 20 ms) woke each gateway's file watcher, ~35 µs per request in every figure (docs/benchmarks.md).
    /// </summary>
    private string LogDir => Directory.CreateDirectory(Path.Combine(options.WorkDir, "logs")).FullName;

    /// <summary>The gateway (or, in A/B mode, gateway B) for a profile, started on first use with its own config file.</summary>
    private async Task<RunningGateway> GatewayAsync(GatewayProfile profile, bool compare = false)
    {
        var running = compare ? _compares : _gateways;
        if (running.TryGetValue(profile, out var gateway)) return gateway;
        var name = profile == GatewayProfile.Bare ? "gateway" : "gateway-" + string.Concat(profile.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
        var config = Path.Combine(options.WorkDir, name + ".yaml");
        // `up` keeps a ledger in its state folder by default: each gateway process gets a folder of its own in the work dir
        // (never the user's, never A's and B's shared), and no ledger at all unless the profile's YAML configures one.
        var ledger = System.Text.RegularExpressions.Regex.IsMatch(profile.ExtraYaml, "^ledger:", System.Text.RegularExpressions.RegexOptions.Multiline) ? "" : "ledger:\n  enabled: false\n";
        await File.WriteAllTextAsync(config, GatewayConfig(_upstreamPort) + ledger + profile.ExtraYaml);
        var env = new Dictionary<string, string>(options.GatewayEnv) { ["SWITCHBOARD_STATE_DIR"] = Path.Combine(options.WorkDir, "state", name + (compare ? "-b" : "")) };
        foreach (var (k, v) in profile.Env ?? new Dictionary<string, string>()) env[k] = v;
        if (compare) foreach (var (k, v) in options.CompareEnv) env[k] = v;
        var port = ChildProcess.FreePort();
        var process = ChildProcess.StartDotnet(compare ? $"{name} B" : name, compare ? options.CompareDll ?? options.GatewayDll : options.GatewayDll,
            $"up --config '{config}' --port {port}", Path.Combine(LogDir, name + (compare ? "-b.log" : ".log")), env);
        await process.WaitReadyAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
        return running[profile] = new RunningGateway(process, port);
    }

    private void StopGateways()
    {
        foreach (var g in _gateways.Values.Concat(_compares.Values)) g.Process.Dispose();
        _gateways.Clear();
        _compares.Clear();
    }

    private async Task<List<Scenario>> BuildAsync(IEnumerable<ScenarioSpec> specs, Shape shape)
    {
        var built = new List<Scenario>();
        foreach (var spec in specs) built.Add(_scenarios.Build(spec, (await GatewayAsync(spec.Gateway)).Port, shape));
        return built;
    }

    /// <summary>The same scenario pointed at gateway B.</summary>
    private async Task<Scenario> CompareAsync(Scenario s, Shape shape) =>
        _scenarios.Build(s.Spec, (await GatewayAsync(s.Spec.Gateway, compare: true)).Port, shape);

    private static int WarmUpRate(RequestSize size) => size == RequestSize.Small ? 1000 : 500;

    private async Task WarmUpAsync(HttpClient client, IEnumerable<Scenario> scenarios, bool streams = false)
    {
        Console.WriteLine("warming up (JIT, connection pools)…");
        foreach (var s in scenarios)
            foreach (var t in new[] { s.Direct, s.Nginx, s.Gateway })
            {
                if (streams) await Load.StreamsAsync(client, t, 50, TimeSpan.FromSeconds(1));
                else await Load.FixedRateAsync(client, t, WarmUpRate(s.Spec.Size), TimeSpan.Zero, TimeSpan.FromSeconds(options.Quick ? 1 : 2));
            }
    }

    private async Task<LatencyRow> LatencyAsync(HttpClient client, Scenario s, int rate, bool viaNginx = true)
    {
        var row = new LatencyRow(s.Spec, s.Gateway.Body.Length, rate, [], [], []);
        var gateway = await GatewayAsync(s.Spec.Gateway);
        var b = options.Compares ? await CompareAsync(s, Shape.Json) : null;
        var compare = b is null ? null : await GatewayAsync(s.Spec.Gateway, compare: true);
        if (b is not null) await Load.FixedRateAsync(client, b.Gateway, WarmUpRate(s.Spec.Size), TimeSpan.Zero, TimeSpan.FromSeconds(2));
        var requests = rate * (options.Warmup + options.Duration).TotalSeconds;
        List<double> aAdded = [], bAdded = [];
        for (var rep = 0; rep < options.Reps; rep++)
        {
            // Interleaved, so slow drifts in the machine's load hit every side alike.
            row.Direct.Add(await Load.FixedRateAsync(client, s.Direct, rate, options.Warmup, options.Duration));
            if (viaNginx)
            {
                var nginxCpu = _nginx!.CpuMs();
                row.Nginx.Add(await Load.FixedRateAsync(client, s.Nginx, rate, options.Warmup, options.Duration));
                row.NginxCpuUs.Add((_nginx.CpuMs() - nginxCpu) * 1000 / requests);
            }
            // A/B: direct, A, B, direct on even repetitions and direct, B, A, direct on odd ones, so neither side always goes first.
            LatencyResult? bResult = null;
            double bCpuUs = 0;
            if (b is not null && rep % 2 == 1) (bResult, bCpuUs) = await RunCompareAsync();
            var cpu = gateway.Process.CpuMs();
            var upstreamCpu = _upstream!.CpuMs();
            var gc = await GcReading.ReadAsync(client, gateway.Port, s.Gateway.Headers);
            row.Gateway.Add(await WatchingRssAsync(s, gateway, () => Load.FixedRateAsync(client, s.Gateway, rate, options.Warmup, options.Duration)));
            row.GatewayCpuUs.Add((gateway.Process.CpuMs() - cpu) * 1000 / requests);
            row.UpstreamCpuUs.Add((_upstream.CpuMs() - upstreamCpu) * 1000 / requests);
            row.GatewayGc.Add((await GcReading.ReadAsync(client, gateway.Port, s.Gateway.Headers)).Since(gc));
            var n = row.Nginx.Count > 0 ? $"nginx p50 {row.Nginx[^1].P50:0.000} p99 {row.Nginx[^1].P99:0.000} | " : "";
            Console.WriteLine($"{s.Name} @ {rate}/s rep {rep + 1}: direct p50 {row.Direct[^1].P50:0.000} p99 {row.Direct[^1].P99:0.000} | {n}gateway p50 {row.Gateway[^1].P50:0.000} p99 {row.Gateway[^1].P99:0.000} ms (errors {row.Gateway[^1].Errors}, lag p99 {row.Gateway[^1].LagP99:0.0} ms, CPU µs/request gateway {row.GatewayCpuUs[^1]:0}, upstream {row.UpstreamCpuUs[^1]:0}{(row.NginxCpuUs.Count > 0 ? $", nginx {row.NginxCpuUs[^1]:0}" : "")}, {row.GatewayGc[^1].Collections} GCs paused {row.GatewayGc[^1].PauseMs:0.0} ms)");
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
            var before = compare!.Process.CpuMs();
            var result = await Load.FixedRateAsync(client, b!.Gateway, rate, options.Warmup, options.Duration);
            return (result, (compare.Process.CpuMs() - before) * 1000 / requests);
        }
    }

    /// <summary>
    /// Runs one measurement through the gateway; for a Claude Code-size scenario, keeps the gateway's and the
    /// upstream's peak RSS meanwhile (the "RSS under 200 KB load" figure).
    /// </summary>
    private async Task<T> WatchingRssAsync<T>(Scenario s, RunningGateway gateway, Func<Task<T>> run)
    {
        if (s.Spec.Size != RequestSize.ClaudeCode) return await run();
        var gatewayPeak = new RssPeak(gateway.Process);
        var upstreamPeak = new RssPeak(_upstream!);
        try
        {
            return await run();
        }
        finally
        {
            await gatewayPeak.DisposeAsync();
            await upstreamPeak.DisposeAsync();
            _largeLoadGatewayRss = Math.Max(_largeLoadGatewayRss, gatewayPeak.Mb);
            _largeLoadUpstreamRss = Math.Max(_largeLoadUpstreamRss, upstreamPeak.Mb);
        }
    }

    private async Task<ThroughputRow> ThroughputAsync(Scenario s, bool viaNginx = true)
    {
        var row = new ThroughputRow(s.Spec, s.Gateway.Body.Length, [], [], [], []);
        var gateway = await GatewayAsync(s.Spec.Gateway);
        for (var rep = 0; rep < options.Reps; rep++)
        {
            var (direct, _, directCpu) = await WrkAsync(s.Direct);
            row.Direct.Add(direct);
            row.DirectCpu.Add(directCpu);
            if (viaNginx)
            {
                var (nginx, _, nginxCpu) = await WrkAsync(s.Nginx);
                row.Nginx.Add(nginx);
                row.NginxCpu.Add(nginxCpu);
            }
            var (rps, errors, cpu) = await WatchingRssAsync(s, gateway, () => WrkAsync(s.Gateway));
            row.Gateway.Add(rps);
            row.GatewayErrors.Add(errors);
            row.GatewayCpu.Add(cpu);
            var n = row.Nginx.Count > 0 ? $"nginx {row.Nginx[^1]:0} req/s, " : "";
            Console.WriteLine($"{s.Name} max throughput rep {rep + 1}: direct {direct:0} req/s, {n}gateway {rps:0} req/s (non-2xx {errors}); cores busy in the gateway run: {Cores(cpu)}");
        }
        return row;

        async Task<(double, int, CpuUse)> WrkAsync(Target target)
        {
            var watch = CpuWatch.Start(("fake upstream", _upstream), ("nginx", _nginx), ("gateway", gateway.Process));
            var (rps, errors) = await Wrk.RunAsync(target, options.WorkDir, options.Duration);
            return (rps, errors, watch.Stop());
        }

        static string Cores(CpuUse cpu) => string.Join(", ", cpu.Ms.Keys.Order().Select(k => $"{k} {cpu.Cores(k):0.00}"));
    }

    private async Task<StreamRow> StreamsAsync(HttpClient client, Scenario s)
    {
        var row = new StreamRow(s.Spec, s.Gateway.Body.Length, [], [], []);
        var b = options.Compares ? await CompareAsync(s, Shape.Stream) : null;
        if (b is not null) await Load.StreamsAsync(client, b.Gateway, 50, TimeSpan.FromSeconds(1));
        for (var rep = 0; rep < options.Reps; rep++)
        {
            row.Direct.Add(await Load.StreamsAsync(client, s.Direct, 100, options.Duration));
            row.Nginx.Add(await Load.StreamsAsync(client, s.Nginx, 100, options.Duration));
            row.Gateway.Add(await Load.StreamsAsync(client, s.Gateway, 100, options.Duration));
            Console.WriteLine($"{s.Name} streams rep {rep + 1}: TTFT p50 direct {row.Direct[^1].TtftP50:0.000} nginx {row.Nginx[^1].TtftP50:0.000} gateway {row.Gateway[^1].TtftP50:0.000}; chunk delay p50 direct {row.Direct[^1].ChunkP50:0.000} nginx {row.Nginx[^1].ChunkP50:0.000} gateway {row.Gateway[^1].ChunkP50:0.000} ms (errors {row.Gateway[^1].Errors}, chunks {row.Gateway[^1].ChunksPerStream})");
            if (b is not null)
            {
                var bResult = await Load.StreamsAsync(client, b.Gateway, 100, options.Duration);
                Console.WriteLine($"    B streams rep {rep + 1}: TTFT p50 gateway B {bResult.TtftP50:0.000}; chunk delay p50 gateway B {bResult.ChunkP50:0.000} ms (errors {bResult.Errors}); added TTFT A {row.Gateway[^1].TtftP50 - row.Direct[^1].TtftP50:0.000} B {bResult.TtftP50 - row.Direct[^1].TtftP50:0.000}, chunk A {row.Gateway[^1].ChunkP50 - row.Direct[^1].ChunkP50:0.000} B {bResult.ChunkP50 - row.Direct[^1].ChunkP50:0.000}");
            }
        }
        return row;
    }

    /// <summary>1,000 concurrent open streams through the gateway: the gateway's and the upstream's RSS while they are all open.</summary>
    private async Task OpenStreamsAsync(ChildProcess gateway, IReadOnlyList<Scenario> holds)
    {
        foreach (var s in holds)
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
                gw = Math.Max(gw, gateway.RssMb());
                up = Math.Max(up, _upstream!.RssMb());
                await Task.Delay(500);
            }
            var rate = (Interlocked.Read(ref chunks) - before) / 1.5;
            var open = Volatile.Read(ref firstChunk);
            Console.WriteLine($"{count} open streams ({s.Name}): {open} open, {errors} errors, {rate:0} chunks/s flowing; gateway RSS {gw:0.0} MB, upstream RSS {up:0.0} MB");
            _report.Memory.Add(new MemoryRow(MemoryPoint.OpenStreams, $"{count:N0} concurrent open streams, {s.Name}", gw, up,
                $"{open} streams open, {errors} errors, {rate:0} chunks/s flowing (1 chunk/s each)"));
            cts.Cancel();
            try { await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(20)); } catch (TimeoutException) { }
            await Task.Delay(2000);
        }
        _report.Memory.Add(new MemoryRow(MemoryPoint.IdleAfterStreams, "idle, after the streams closed", gateway.RssMb(), _upstream!.RssMb(), ""));
    }

    private async Task RoutingAsync(HttpClient client, RunningGateway gateway)
    {
        var routeUrl = new Uri($"http://127.0.0.1:{gateway.Port}/v1/route");
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
        var logBefore = new FileInfo(gateway.Process.LogPath).Length;
        var messagesUrl = new Uri($"http://127.0.0.1:{gateway.Port}/v1/messages");
        var n = 0;
        var routed = new Target("routed", messagesUrl, [], headers) { BodyFactory = () => Body(string.Format(prompts[Interlocked.Increment(ref n) % prompts.Length], $"run {Guid.NewGuid():N}")) };
        var routedLatency = await Load.FixedRateAsync(client, routed, 500, TimeSpan.FromSeconds(0.5), options.Duration);
        await Task.Delay(1500); // the console logger writes on its own thread
        var decisions = ReadDecisionMs(gateway.Process.LogPath, logBefore).Order().ToArray();
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

    /// <summary>
    /// The bare config: every model points at the fake upstream, each stream shape under its own model names
    /// (gpt-stream, claude-hold, …), with the routing preferences the routing runs need on the two plain ones.
    /// </summary>
    private static string GatewayConfig(int upstream)
    {
        var shaped = string.Concat(new[] { Shape.Stream, Shape.Hold }.Select(shape => $"""
              - model: openai/gpt-{ScenarioFactory.ModelSuffix(shape)}
                access_key: sk-bench
                base_url: http://127.0.0.1:{upstream}{ScenarioFactory.ShapePath(shape)}/v1
              - model: anthropic/claude-{ScenarioFactory.ModelSuffix(shape)}
                access_key: sk-ant-bench
                base_url: http://127.0.0.1:{upstream}{ScenarioFactory.ShapePath(shape)}/v1

            """));
        return $"""
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

            """ + shaped + """
            routing:
              router: embedded

            """;
    }
}
