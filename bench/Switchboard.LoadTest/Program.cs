using System.Globalization;
using Switchboard.LoadTest;

// loadtest --gateway DLL --upstream DLL --fixture JSON --out docs/benchmarks.md [--quick] [--reps N] [--only NAME,...]
// Normally run through bench/run.sh, which builds everything in Release first.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// loadtest dump-bodies FIXTURE DIR: the Claude Code-size bodies as files, to drive a gateway by hand (wrk, a profiler).
if (args is ["dump-bodies", var bodiesFixture, var bodiesDir])
{
    var bodies = new ClaudeCodeBodies(bodiesFixture);
    Directory.CreateDirectory(bodiesDir);
    File.WriteAllBytes(Path.Combine(bodiesDir, "openai-214k.json"), bodies.OpenAI("openai/gpt-bench", false));
    File.WriteAllBytes(Path.Combine(bodiesDir, "anthropic-165k.json"), bodies.Anthropic("anthropic/claude-bench", false));
    File.WriteAllBytes(Path.Combine(bodiesDir, "translated-165k.json"), bodies.Anthropic("openai/gpt-bench", false));
    return 0;
}
if (args.Length > 0 && args[0] == "drive") return await Drive.RunAsync(args);
if (args.Length > 0 && args[0] == "overload") return await Overload.RunAsync(args);
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

internal sealed record RunOptions(string GatewayDll, string UpstreamDll, string Fixture, string Output, bool Quick, int Reps, string WorkDir,
    HashSet<string> Only, Dictionary<string, string> GatewayEnv, int[] Rates, int[] LargeRates, string? ScenarioFilter)
{
    /// <summary>A/B mode (console output): a second gateway, another build and/or environment, measured interleaved with the first.</summary>
    public string? CompareDll { get; init; }
    public Dictionary<string, string> CompareEnv { get; init; } = [];
    public bool Compares => CompareDll is not null || CompareEnv.Count > 0;
    /// <summary>--features FILE: every selected scenario also runs against a gateway with this config fragment, reported beside the bare one.</summary>
    public GatewayProfile? Features { get; init; }
    /// <summary>Which of the selected scenarios also run with <see cref="Features"/> (same terms as --scenarios); null: all.</summary>
    public string? FeaturesFilter { get; init; }

    public TimeSpan Duration => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(3);
    public TimeSpan Warmup => TimeSpan.FromSeconds(0.5);
    public bool Runs(string part) => Only.Count == 0 || Only.Contains(part);
    public int[] RatesFor(RequestSize size) => size == RequestSize.Small ? Rates : LargeRates;

    private const string Usage = "usage: loadtest --gateway switchboard.dll --upstream fake-upstream.dll --fixture claude-code-request.json [--out FILE] [--quick] [--reps N] [--only latency,throughput,streams,memory,routing,nolog] [--gateway-env NAME=VALUE]... [--rates 500,1000,2000] [--large-rates 200,500] [--scenarios 'NAME;TEXT'] [--b-gateway DLL] [--b-env NAME=VALUE]... [--features FILE.yaml]";

    public static RunOptions Parse(string[] args)
    {
        string? gateway = null, upstream = null, fixture = null, output = "docs/benchmarks.md", work = null, only = null;
        var quick = false;
        int? reps = null;
        var env = new Dictionary<string, string>();
        var compareEnv = new Dictionary<string, string>();
        string? compareDll = null;
        int[] rates = [500, 1000, 2000], largeRates = [200, 500];
        string? scenarios = null;
        GatewayProfile? features = null;
        string? featuresScenarios = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--gateway": gateway = args[++i]; break;
                case "--upstream": upstream = args[++i]; break;
                case "--fixture": fixture = args[++i]; break;
                case "--out": output = args[++i]; break;
                case "--work": work = args[++i]; break;
                case "--quick": quick = true; break;
                case "--reps": reps = int.Parse(args[++i]); break;
                case "--only": only = args[++i]; break;
                case "--rates": rates = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--large-rates": largeRates = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--scenarios": scenarios = args[++i]; break;
                case "--gateway-env": var kv = args[++i].Split('=', 2); env[kv[0]] = kv[1]; break;
                case "--b-gateway": compareDll = Path.GetFullPath(args[++i]); break;
                case "--b-env": var bkv = args[++i].Split('=', 2); compareEnv[bkv[0]] = bkv[1]; break;
                case "--features": features = GatewayProfile.FromFragment(Path.GetFullPath(args[++i])); break;
                case "--features-scenarios": featuresScenarios = args[++i]; break;
                default: throw new ArgumentException($"unknown argument {args[i]}\n{Usage}");
            }
        }
        if (gateway is null || upstream is null || fixture is null) throw new ArgumentException(Usage);
        work ??= Directory.CreateTempSubdirectory("switchboard-bench-").FullName;
        return new RunOptions(Path.GetFullPath(gateway), Path.GetFullPath(upstream), Path.GetFullPath(fixture), Path.GetFullPath(output), quick,
            reps ?? (quick ? 1 : 3), work, only is null ? [] : only.Split(',').ToHashSet(), env, rates, largeRates, scenarios)
        { CompareDll = compareDll, CompareEnv = compareEnv, Features = features, FeaturesFilter = featuresScenarios };
    }
}

internal sealed record LatencyRow(ScenarioSpec Spec, int RequestBytes, int Rate, List<LatencyResult> Direct, List<LatencyResult> Nginx, List<LatencyResult> Gateway)
{
    public string Scenario => Spec.Name;
    /// <summary>The gateway process's CPU time per request (user + system), µs.</summary>
    public List<double> GatewayCpuUs { get; } = [];
    /// <summary>nginx's (master and workers) CPU time per request, µs.</summary>
    public List<double> NginxCpuUs { get; } = [];
    /// <summary>The fake upstream's CPU time per request during the gateway runs, µs.</summary>
    public List<double> UpstreamCpuUs { get; } = [];
    /// <summary>The gateway's garbage collections during each run, and their total pause, ms (from /healthz?verbose).</summary>
    public List<(int Collections, double PauseMs)> GatewayGc { get; } = [];
}

internal sealed record ThroughputRow(ScenarioSpec Spec, int RequestBytes, List<double> Direct, List<double> Nginx, List<double> Gateway, List<int> GatewayErrors)
{
    public string Scenario => Spec.Name;
    /// <summary>What every process spent during the direct, nginx and gateway runs.</summary>
    public List<CpuUse> DirectCpu { get; } = [];
    public List<CpuUse> NginxCpu { get; } = [];
    public List<CpuUse> GatewayCpu { get; } = [];
}

internal sealed record StreamRow(ScenarioSpec Spec, int RequestBytes, List<StreamResult> Direct, List<StreamResult> Nginx, List<StreamResult> Gateway)
{
    public string Scenario => Spec.Name;
}

internal enum MemoryPoint { IdleAtStart, IdleAfterLoad, LargeRequestLoad, OpenStreams, IdleAfterStreams }
internal sealed record MemoryRow(MemoryPoint Point, string What, double GatewayMb, double UpstreamMb, string Note);
internal sealed record RoutingRow(string What, double P50, double P99, int Count);

internal sealed class Report
{
    public string Machine = "";
    public string Date = "";
    public string Commit = "";
    public string Dotnet = "";
    public string Nginx = "";
    public string ClaudeCodeBodies = "";
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

/// <summary>A gateway process and its port.</summary>
internal sealed record RunningGateway(ChildProcess Process, int Port);
