using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.Config;
using Switchboard.Routing;
using Switchboard.Runtime;
using Switchboard.Sessions;

namespace Switchboard.Bench.Sessions;

/// <summary>
/// The session step's cost per request (Sessions/SessionRouting in front of ModelSelector), on Claude Code 2.1.330's
/// recorded request: a turn routed by the embedded router as every request was before (the baseline), a request held
/// on its turn's model (hinted: prompt id; unhinted: the latest user turn read from the DOM), and an auxiliary call.
/// </summary>
[MemoryDiagnoser]
public class SessionRoutingBenchmarks
{
    private GatewaySnapshot _snapshot = null!;
    private SessionRouting _sessions = null!;
    private JsonDocument _body = null!;
    private Func<RouterInput> _input = null!;
    private static readonly Func<JsonDocument, LatestUserTurn> ReadTurn = static d => LatestUserTurn.Read(d.RootElement);
    private static readonly ClaudeCodeHints Main = new(SessionRequestKind.Turn, "prompt-1", null);
    private static readonly ClaudeCodeHints Auxiliary = new(SessionRequestKind.Auxiliary, null, null);
    private static readonly ClaudeCodeHints None = new(SessionRequestKind.Unhinted, null, null);

    [GlobalSetup]
    public void Setup()
    {
        var config = ConfigLoader.LoadText("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: sk-bench
                default: true
                routing_preferences:
                  - name: code generation
                    description: generating new code snippets, functions, classes, scripts or boilerplate
              - model: anthropic/claude-sonnet-4-5
                access_key: sk-bench
                routing_preferences:
                  - name: debugging
                    description: finding and fixing bugs, errors, crashes, failing tests and performance problems
              - model: anthropic/claude-haiku-4-5
                access_key: sk-bench
            claude_code:
              haiku: anthropic/claude-haiku-4-5
            """).Config!;
        _snapshot = SnapshotFactory.Create(config);
        _sessions = new SessionRouting(new InProcessSessionPinStore(TimeSpan.FromHours(1), 10_000));
        var repo = FindRepository();
        _body = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repo, "tests", "Switchboard.Tests", "Fixtures", "claude-code-2.1.330-request.json")));
        _input = () => RouterInputBuilder.FromRequest(ApiFormat.Anthropic, _body.RootElement);
        // The sessions the held benchmarks find pinned.
        HeldTurn().AsTask().GetAwaiter().GetResult();
        HeldUnhinted().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _body.Dispose();
        _snapshot.Dispose();
    }

    /// <summary>Before sessions: every request of a turn is routed (router input built, embedded router run).</summary>
    [Benchmark(Baseline = true)]
    public async ValueTask<bool> RoutedEveryRequest() => (await _snapshot.Selector.SelectAsync("claude-opus-5-5", null, _input, CancellationToken.None)) is not null;

    /// <summary>A tool-loop request of a hinted turn: the pin answers, no router, no DOM.</summary>
    [Benchmark]
    public async ValueTask<bool> HeldTurn() =>
        (await _sessions.SelectAsync(_snapshot.Selector, _snapshot.Config, "claude-opus-5-5", null, "bench-session", Main, _input, ReadTurn, _body, CancellationToken.None)).Selection is not null;

    /// <summary>The same without hint headers: the latest user turn is read from the DOM to find the pin.</summary>
    [Benchmark]
    public async ValueTask<bool> HeldUnhinted() =>
        (await _sessions.SelectAsync(_snapshot.Selector, _snapshot.Config, "claude-opus-5-5", null, "bench-unhinted", None, _input, ReadTurn, _body, CancellationToken.None)).Selection is not null;

    [Benchmark]
    public async ValueTask<bool> AuxiliaryCall() =>
        (await _sessions.SelectAsync(_snapshot.Selector, _snapshot.Config, "claude-haiku-4-5-20251001", null, "bench-session", Auxiliary, _input, ReadTurn, _body, CancellationToken.None)).Selection is not null;

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository (Switchboard.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
