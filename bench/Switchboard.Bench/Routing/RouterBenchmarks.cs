using BenchmarkDotNet.Attributes;
using Switchboard.Routing;

namespace Switchboard.Bench.Routing;

/// <summary>
/// The embedded router's decision time on the repository's own labelled coding conversations (the coding policy and
/// blind-coding.jsonl in tests/Switchboard.Tests/TestData/Routing; target p50 ≤ 1 ms, p99 ≤ 5 ms), and on a long
/// conversation with pasted code and a traceback.
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private readonly EmbeddedRouteSelector _selector = new();
    private RoutePolicy _policy = null!;
    private RouterInput[] _conversations = [];
    private RouterInput _long = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var data = Path.Combine(FindRepository(), "tests", "Switchboard.Tests", "TestData", "Routing");
        _policy = RoutingDataLoader.LoadPolicyYaml(Path.Combine(data, "coding-policy.yaml"));
        _conversations = RoutingDataLoader.LoadJsonl(Path.Combine(data, "blind-coding.jsonl")).Select(r => RouterInputBuilder.FromTurns(r.Turns)).ToArray();
        var code = string.Join("\n", Enumerable.Range(0, 200).Select(i => $"    result_{i} = compute_value(items[{i}]) # step {i}"));
        _long = RouterInputBuilder.FromTurns(
        [
            new RouterTurn(TurnRole.User, "write a data loader for the items table"),
            new RouterTurn(TurnRole.Assistant, "```python\n" + code + "\n```"),
            new RouterTurn(TurnRole.User, "running it gives:\nTraceback (most recent call last):\n  File \"loader.py\", line 12, in <module>\nKeyError: 'id'"),
        ]);
        _selector.Select(_long, _policy);
    }

    /// <summary>One decision per call, cycling through the labelled conversations.</summary>
    [Benchmark]
    public string? LabelledConversationDecision() => _selector.Select(_conversations[_next++ % _conversations.Length], _policy).Route;

    [Benchmark]
    public string? LongConversationDecision() => _selector.Select(_long, _policy).Route;

    internal static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository (Switchboard.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
