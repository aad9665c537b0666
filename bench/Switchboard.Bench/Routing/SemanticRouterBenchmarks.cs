using BenchmarkDotNet.Attributes;
using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Bench.Routing;

/// <summary>
/// The embedded router with its semantic second stage on everyday policies (issue #17; target p50 ≤ 5 ms): one decision
/// per call, cycling through the support and mixed blind sets, the encoder loaded beforehand (a warm gateway). Decisions
/// the lexical stage is sure of cost microseconds; unsure ones pay one MiniLM encoding of the latest user turn.
/// </summary>
[MemoryDiagnoser]
public class SemanticRouterBenchmarks
{
    private readonly EmbeddedRouteSelector _selector = new(null, SemanticMode.Auto);
    private (RoutePolicy Policy, RouterInput Input)[] _conversations = [];
    private RouterInput _unsure = null!;
    private RoutePolicy _support = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var data = Path.Combine(RouterBenchmarks.FindRepository(), "tests", "Switchboard.Tests", "TestData", "Routing");
        var list = new List<(RoutePolicy, RouterInput)>();
        foreach (var (policyFile, dataFile) in new[] { ("support-policy.yaml", "blind2-support.jsonl"), ("mixed-policy.yaml", "blind2-mixed.jsonl") })
        {
            var policy = RoutingDataLoader.LoadPolicyYaml(Path.Combine(data, policyFile));
            if (_selector.SemanticFor(policy) is not { } stage || !stage.WaitUntilReady(policy, TimeSpan.FromMinutes(2)))
                throw new InvalidOperationException("the semantic stage did not load");
            list.AddRange(RoutingDataLoader.LoadJsonl(Path.Combine(data, dataFile)).Select(r => (policy, RouterInputBuilder.FromTurns(r.Turns))));
        }
        _conversations = [.. list];
        _support = list[0].Item1;
        // Two short requests alternate so the encoder runs every call (no per-thread reuse of the last embedding).
        _unsure = RouterInputBuilder.FromTurns([new RouterTurn(TurnRole.User, "the thing I got last week is not what I expected at all")]);
    }

    /// <summary>One decision per call over the everyday blind conversations (sure ones lexical, unsure ones semantic).</summary>
    [Benchmark]
    public string? EverydayDecision()
    {
        var (policy, input) = _conversations[_next++ % _conversations.Length];
        return _selector.Select(input, policy).Route;
    }

    /// <summary>An unsure decision that always pays an encoding (worst case per decision).</summary>
    [Benchmark]
    public string? UnsureDecisionWithEncoding()
    {
        Switchboard.Routing.Semantic.SentenceEncoderHost.ForgetLastForBenchmarks();
        return _selector.Select(_unsure, _support).Route;
    }

    /// <summary>The action reading alone (<see cref="Switchboard.Routing.Semantic.RouteActions"/>): the everyday actions a request asks for.</summary>
    [Benchmark]
    public int ActionReading() => Switchboard.Routing.Semantic.RouteActions.Asked("I sold my car last week, so how do I stop paying for the insurance on it from next month?");
}
