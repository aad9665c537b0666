using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Config;
using Switchboard.FakeUpstream;
using Switchboard.Hosting;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `dotnet Switchboard.Bench.dll probe [N]`: the gateway and the fake upstream in this process, N sequential requests
/// per pairing, and what each request costs the process: bytes allocated and CPU time, through the gateway minus
/// direct. Allocation counts are exact and do not depend on what else the machine runs, so they show a fix's effect
/// even when latency is too noisy to. Run with stdout redirected (the gateway logs each request to the console).
/// </summary>
internal static class GatewayRequestProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 1 && int.TryParse(args[1], out var parsed) ? parsed : 20000;
        var types = args.Contains("--types"); // also: what allocates, by type (sampled every ~100 KB by the runtime)
        var upstream = await StartUpstreamAsync();
        // SB_PROBE_LEDGER=1: the ledger on, SQLite in a temporary folder (removed at the end); SB_PROBE_PROMETHEUS=0: /metrics off.
        var ledgerDir = Environment.GetEnvironmentVariable("SB_PROBE_LEDGER") == "1" ? Directory.CreateTempSubdirectory("sb-probe-ledger-").FullName : null;
        var upstreamUrl = upstream.Urls.First();
        var yaml = $"""
            version: v1
            listeners:
              - name: llm
                address: 127.0.0.1
                port: 0
            model_providers:
              - model: openai/gpt-bench
                access_key: sk-bench
                {Pricing}
                base_url: {upstreamUrl}/v1
                default: true
              - model: anthropic/claude-bench
                access_key: sk-ant-bench
                {Pricing}
                base_url: {upstreamUrl}/v1
              - model: openai/gpt-stream
                access_key: sk-bench
                {Pricing}
                base_url: {upstreamUrl}/s20x0/v1
              - model: anthropic/claude-stream
                access_key: sk-ant-bench
                {Pricing}
                base_url: {upstreamUrl}/s20x0/v1
            {TeamKeys(Environment.GetEnvironmentVariable("SB_PROBE_KEYS"))}
            {Features(ledgerDir)}
            """;
        var load = ConfigLoader.LoadText(yaml, env: new EnvironmentSource(_ => null));
        await using var gateway = GatewayHost.Create(load.Config!, new GatewayHostOptions { Port = 0 });
        await gateway.StartAsync();
        var gw = gateway.BaseAddress.ToString().TrimEnd('/');

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        var anthropic = new[] { ("anthropic-version", "2023-06-01"), ("x-api-key", "sk-ant-bench") };
        var openai = new[] { ("authorization", "Bearer sk-bench") };
        var claudeCode = new Switchboard.LoadTest.ClaudeCodeBodies(ClaudeCodeFixture());
        // Divisor: streams and Claude Code-size requests take longer, so they run n/4 and n/10 times.
        var cases = new (string Name, string Url, byte[] Body, (string, string)[] Headers, int Divisor)[]
        {
            ("direct OpenAI", $"{upstreamUrl}/v1/chat/completions", Body(false, "gpt-bench", false), openai, 1),
            ("OpenAI passthrough", $"{gw}/v1/chat/completions", Body(false, "openai/gpt-bench", false), openai, 1),
            ("direct Anthropic", $"{upstreamUrl}/v1/messages", Body(true, "claude-bench", false), anthropic, 1),
            ("Anthropic passthrough", $"{gw}/v1/messages", Body(true, "anthropic/claude-bench", false), anthropic, 1),
            ("Anthropic → OpenAI (translated)", $"{gw}/v1/messages", Body(true, "openai/gpt-bench", false), anthropic, 1),
            ("direct OpenAI stream (20 chunks)", $"{upstreamUrl}/s20x0/v1/chat/completions", Body(false, "gpt-stream", true), openai, 4),
            ("OpenAI passthrough stream", $"{gw}/v1/chat/completions", Body(false, "openai/gpt-stream", true), openai, 4),
            ("Anthropic → OpenAI stream (translated)", $"{gw}/v1/messages", Body(true, "openai/gpt-stream", true), anthropic, 4),
            ("direct OpenAI, Claude Code-size", $"{upstreamUrl}/v1/chat/completions", claudeCode.OpenAI("gpt-bench", false), openai, 10),
            ("OpenAI passthrough, Claude Code-size", $"{gw}/v1/chat/completions", claudeCode.OpenAI("openai/gpt-bench", false), openai, 10),
            ("direct Anthropic, Claude Code-size", $"{upstreamUrl}/v1/messages", claudeCode.Anthropic("claude-bench", false), anthropic, 10),
            ("Anthropic passthrough, Claude Code-size", $"{gw}/v1/messages", claudeCode.Anthropic("anthropic/claude-bench", false), anthropic, 10),
            ("direct OpenAI, its OpenAI form", $"{upstreamUrl}/v1/chat/completions", claudeCode.OpenAIOfAnthropic("gpt-bench", false), openai, 10),
            ("Anthropic → OpenAI, Claude Code-size", $"{gw}/v1/messages", claudeCode.Anthropic("openai/gpt-bench", false), anthropic, 10),
            ("Responses → Anthropic (translated)", $"{gw}/v1/responses", ResponsesBody("anthropic/claude-bench", false), openai, 1),
            ("direct Anthropic stream (20 chunks)", $"{upstreamUrl}/s20x0/v1/messages", Body(true, "claude-stream", true), anthropic, 4),
            ("Responses → Anthropic stream (translated)", $"{gw}/v1/responses", ResponsesBody("anthropic/claude-stream", true), openai, 4),
        };
        // SB_PROBE_CASES="Responses;direct Anthropic": only the cases whose name contains one of the terms.
        if (Environment.GetEnvironmentVariable("SB_PROBE_CASES") is { Length: > 0 } only)
            cases = cases.Where(c => only.Split(';').Any(term => c.Name.Contains(term, StringComparison.Ordinal))).ToArray();
        Console.Error.WriteLine($"{"case",-40} {"bytes/req",10} {"CPU µs/req",11} {"wall µs/req",12} {"gen0/1k",8}");
        foreach (var c in cases)
        {
            var count = Math.Max(1, n / c.Divisor);
            for (var i = 0; i < Math.Min(count, 3000); i++) await SendAsync(client, c.Url, c.Body, c.Headers);
            GC.Collect();
            var gen0 = GC.CollectionCount(0);
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            using var sampler = types ? new AllocationSampler() : null;
            var wall = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++) await SendAsync(client, c.Url, c.Body, c.Headers);
            var elapsed = Stopwatch.GetElapsedTime(wall);
            sampler?.Print(c.Name, count);
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            Console.Error.WriteLine($"{c.Name,-40} {allocated / count,10:N0} {cpuUsed.TotalMicroseconds / count,11:0.0} {elapsed.TotalMicroseconds / count,12:0.0} {(GC.CollectionCount(0) - gen0) * 1000.0 / count,8:0.00}");
        }
        await gateway.StopAsync();
        await upstream.StopAsync();
        if (ledgerDir is not null)
        {
            var ledger = gateway.Services.GetRequiredService<Switchboard.Ledger.LedgerWriter>();
            Console.Error.WriteLine($"ledger: {ledger.Written:N0} rows written so far, {ledger.Dropped:N0} dropped");
            Directory.Delete(ledgerDir, recursive: true); // the open file goes when the gateway is disposed (Linux)
        }
        return 0;
    }

    /// <summary>
    /// A/B of issue #18's limits: SB_PROBE_KEYS=plain names the probe's two client keys as gateway keys;
    /// =limits adds a rate limit and a budget to each (never reached), with prices on every model.
    /// </summary>
    private const string Pricing = "pricing: {input: 3, output: 15}";

    private static string TeamKeys(string? mode) => mode switch
    {
        "plain" => "gateway_keys:\n  - {name: a, key: sk-bench}\n  - {name: b, key: sk-ant-bench}",
        "limits" => "gateway_keys:\n"
            + "  - {name: a, key: sk-bench, rate_limit: {requests_per_minute: 100000000, tokens_per_minute: 1000000000}, budget: {usd: 1000000000, period: month}}\n"
            + "  - {name: b, key: sk-ant-bench, rate_limit: {requests_per_minute: 100000000, tokens_per_minute: 1000000000}, budget: {usd: 1000000000, period: month}}\n"
            + "state: {}",
        _ => "",
    };

    /// <summary>The ledger (SB_PROBE_LEDGER=1) and the Prometheus endpoint (SB_PROBE_PROMETHEUS=0 turns it off), for A/B runs.</summary>
    private static string Features(string? ledgerDir)
    {
        var yaml = ledgerDir is null ? "" : $"ledger:\n  path: {Path.Combine(ledgerDir, "ledger.db")}\n";
        if (Environment.GetEnvironmentVariable("SB_PROBE_PROMETHEUS") == "0") yaml += "telemetry:\n  prometheus: false\n";
        Console.Error.WriteLine($"probe: ledger {(ledgerDir is null ? "off" : "on (SQLite)")}, /metrics {(yaml.Contains("prometheus: false") ? "off" : "on")}");
        return yaml;
    }

    private static async Task SendAsync(HttpClient client, string url, byte[] body, (string, string)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        using var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await response.Content.CopyToAsync(Stream.Null);
    }

    /// <summary>The real Claude Code request the large bodies grow from, found from the build output up to the repository root.</summary>
    internal static string ClaudeCodeFixture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var fixture = Path.Combine(dir.FullName, "tests", "Switchboard.Tests", "TestData", "Fixtures", "claude-code-2.1.330-request.json");
            if (File.Exists(fixture)) return fixture;
        }
        throw new FileNotFoundException("tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json not found above " + AppContext.BaseDirectory);
    }

    private static byte[] Body(bool anthropic, string model, bool stream)
    {
        const string system = "You are a careful senior engineer. Answer concisely, show code when it helps, and explain trade-offs. Prefer the standard library; never invent APIs. When unsure, say so and suggest how to check.";
        const string turns = """
            {"role":"user","content":"I have a C# service that reads orders from a queue and writes them to PostgreSQL. Under load the p99 latency jumps to two seconds. Where would you start?"},
            {"role":"assistant","content":"Start by measuring where the time goes: queue wait, deserialization, the database round trip, and connection pool waits. Enable Npgsql's metrics and look at pool wait time first; a pool that is too small is the usual culprit."},
            {"role":"user","content":"The pool wait is near zero. The database round trip is 3 ms at p50 but 1.8 s at p99. The table has 40 million rows and an index on (customer_id, created_at). What next?"}
            """;
        var s = anthropic
            ? $$"""{"model":"{{model}}","max_tokens":1024,"temperature":0.2,"system":"{{system}}","messages":[{{turns}}]{{(stream ? ",\"stream\":true" : "")}}}"""
            : $$"""{"model":"{{model}}","max_tokens":1024,"temperature":0.2,"messages":[{"role":"system","content":"{{system}}"},{{turns}}]{{(stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")}}}""";
        return Encoding.UTF8.GetBytes(s);
    }

    /// <summary>The small conversation as a Responses request, as Codex writes one (bench/Switchboard.LoadTest's Bodies.Responses).</summary>
    private static byte[] ResponsesBody(string model, bool stream)
    {
        const string system = "You are a careful senior engineer. Answer concisely, show code when it helps, and explain trade-offs. Prefer the standard library; never invent APIs. When unsure, say so and suggest how to check.";
        const string input = """
            {"type":"message","role":"user","content":[{"type":"input_text","text":"I have a C# service that reads orders from a queue and writes them to PostgreSQL. Under load the p99 latency jumps to two seconds. Where would you start?"}]},
            {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Start by measuring where the time goes: queue wait, deserialization, the database round trip, and connection pool waits. Enable Npgsql's metrics and look at pool wait time first; a pool that is too small is the usual culprit."}]},
            {"type":"message","role":"user","content":[{"type":"input_text","text":"The pool wait is near zero. The database round trip is 3 ms at p50 but 1.8 s at p99. The table has 40 million rows and an index on (customer_id, created_at). What next?"}]}
            """;
        return Encoding.UTF8.GetBytes($$"""{"model":"{{model}}","instructions":"{{system}}","input":[{{input}}],"max_output_tokens":1024,"temperature":0.2,"store":false{{(stream ? ",\"stream\":true" : "")}}}""");
    }

    private static async Task<WebApplication> StartUpstreamAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => { k.AddServerHeader = false; k.Listen(IPAddress.Loopback, 0); });
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        var app = builder.Build();
        app.MapPost("/{**path}", (HttpContext c) => FakeLlm.HandleAsync(c, 0));
        await app.StartAsync();
        return app;
    }
}

/// <summary>The runtime's GCAllocationTick events (one per ~100 KB allocated, naming the type that crossed it), summed by type.</summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, long> _bytes = [];
    private long _total;

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick") != true || e.Payload is null) return;
        var name = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        lock (_bytes)
        {
            _bytes[name] = _bytes.GetValueOrDefault(name) + amount;
            _total += amount;
        }
    }

    public void Print(string name, int requests)
    {
        lock (_bytes)
        {
            Console.Error.WriteLine($"  {name}: sampled {_total / requests:N0} B/request; top types:");
            foreach (var (type, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(15))
                Console.Error.WriteLine($"    {bytes * 100.0 / _total,5:0.0}%  {bytes / requests,7:N0} B/req  {type}");
        }
    }
}
