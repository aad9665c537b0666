using Switchboard.Routing;
using Switchboard.Routing.Semantic;

namespace Switchboard.Bench.Routing;

/// <summary>
/// <c>eval-sets DIR DATA.jsonl:POLICY.yaml … [--misses]</c>: the embedded router (semantic stage on where a policy wants it)
/// on several labelled sets in one process, so the encoder loads once: accuracy per set, and with <c>--misses</c> each
/// missed row (expected → actual: latest turn). Tuning sets only: a blind set is refused, never read.
/// </summary>
internal static class TuningSetsProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: eval-sets DIR DATA.jsonl:POLICY.yaml … [--misses]");
            return 2;
        }
        var misses = args.Contains("--misses");
        var router = new EmbeddedRouteSelector(null, Switchboard.Config.SemanticMode.Auto);
        int total = 0, correct = 0;
        foreach (var spec in args.Skip(2).Where(a => !a.StartsWith("--", StringComparison.Ordinal)))
        {
            var (data, policyFile) = (spec.Split(':')[0], spec.Split(':')[1]);
            RoutingDataLoader.RefuseBlind(data);
            var policy = RoutingDataLoader.LoadPolicyYaml(Path.Combine(args[1], policyFile));
            router.SemanticFor(policy)?.WaitUntilReady(policy, TimeSpan.FromMinutes(3));
            var result = await RouterEvaluator.EvaluateAsync(policy, router, RoutingDataLoader.LoadJsonl(Path.Combine(args[1], data)));
            total += result.Total;
            correct += result.Correct;
            Console.WriteLine($"{data,-32} {100.0 * result.Accuracy,5:F1} % ({result.Correct}/{result.Total})  p50 {result.LatencyP50Ms:F2} ms");
            if (misses)
                foreach (var m in result.Misclassified)
                    Console.WriteLine($"    {m.Expected} -> {m.Actual}: {m.LatestUserText.ReplaceLineEndings(" ")[..Math.Min(160, m.LatestUserText.Length)]}  [{m.Detail}]");
        }
        Console.WriteLine($"{"all",-32} {100.0 * correct / Math.Max(1, total),5:F1} % ({correct}/{total})");
        return 0;
    }
}
