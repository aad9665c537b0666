using BenchmarkDotNet.Attributes;
using Switchboard.Routing;

namespace Switchboard.Bench.Routing;

/// <summary>
/// The embedded router's decision time on the routing dev set's conversations (target p50 ≤ 1 ms, p99 ≤ 5 ms),
/// and on a long conversation with pasted code and a traceback.
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private readonly EmbeddedRouteSelector _selector = new();
    private RoutePolicy _policy = null!;
    private RouterInput[] _dev = [];
    private RouterInput _long = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var shared = FindShared();
        _policy = RoutingDataLoader.LoadPolicyYaml(Path.Combine(shared, "routing-dev", "policy.yaml"));
        _dev = RoutingDataLoader.LoadJsonl(Path.Combine(shared, "routing-dev", "dev.jsonl")).Select(r => RouterInputBuilder.FromTurns(r.Turns)).ToArray();
        var code = string.Join("\n", Enumerable.Range(0, 200).Select(i => $"    result_{i} = compute_value(items[{i}]) # step {i}"));
        _long = RouterInputBuilder.FromTurns(
        [
            new RouterTurn(TurnRole.User, "write a data loader for the items table"),
            new RouterTurn(TurnRole.Assistant, "```python\n" + code + "\n```"),
            new RouterTurn(TurnRole.User, "running it gives:\nTraceback (most recent call last):\n  File \"loader.py\", line 12, in <module>\nKeyError: 'id'"),
        ]);
        _selector.Select(_long, _policy);
    }

    /// <summary>One decision per call, cycling through the 60 dev conversations.</summary>
    [Benchmark]
    public string? DevSetDecision() => _selector.Select(_dev[_next++ % _dev.Length], _policy).Route;

    [Benchmark]
    public string? LongConversationDecision() => _selector.Select(_long, _policy).Route;

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "routing-dev");
            if (Directory.Exists(candidate)) return Path.Combine(dir.FullName, "shared");
        }
        throw new DirectoryNotFoundException("../shared/routing-dev not found above " + AppContext.BaseDirectory);
    }
}
