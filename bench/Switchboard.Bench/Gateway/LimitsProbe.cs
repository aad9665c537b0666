using System.Diagnostics;
using Switchboard.Config;
using Switchboard.Limits;
using Switchboard.State;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `probe-limits N`: CPU per request of the in-process limits and budget (issue #18), what LimitStep and the
/// settlement do for a key with requests and tokens per minute, a model entry's requests per minute, and a budget:
/// admit, then settle, on one thread and on two at once (the same key: the contended case).
/// </summary>
internal static class LimitsProbe
{
    public static int Run(string[] args)
    {
        var n = args.Length > 1 && int.TryParse(args[1], out var parsed) ? parsed : 2_000_000;
        var state = new TeamState();
        var key = new GatewayKey("team-a", new SecretValue("k", null), 1)
        {
            RateLimit = new RateLimitConfig(1_000_000_000, 1_000_000_000, 1),
            Budget = new BudgetConfig(1_000_000_000m, BudgetPeriod.Month, 1),
        };
        var entry = new ModelEntry { Model = "openai/gpt-bench", Provider = "openai", ModelId = "gpt-bench", Interface = ApiFormat.OpenAI, RateLimit = new RateLimitConfig(1_000_000_000, null, 1) };
        void One()
        {
            var policy = state.PolicyOf(key);
            var model = state.LimitsOf(entry);
            var admission = new Admission
            {
                KeyRequests = policy.Limits!.Requests, KeyTokens = policy.Limits.Tokens, ModelRequests = model.Requests, ModelTokens = model.Tokens,
                Budget = policy.Budget, ReservedMicros = 1000, Engine = InProcessLimits.Instance,
            };
            var verdict = InProcessLimits.Instance.AdmitAsync(admission, default).Result;
            if (verdict.Outcome != LimitOutcome.Admitted) throw new InvalidOperationException(verdict.Message);
            InProcessLimits.Instance.Settle(admission, 10, 900); // 10 tokens: millions of requests stay under the (unreachable) limits
        }
        for (var i = 0; i < 100_000; i++) One();
        foreach (var threads in new[] { 1, 2 })
        {
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => { for (var i = 0; i < n; i++) One(); });
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.Error.WriteLine($"limits+budget admit+settle, {threads} thread(s): {cpuUsed.TotalMicroseconds * 1000 / (n * threads):0} ns CPU/request, {(GC.GetTotalAllocatedBytes(precise: true) - bytes) / (n * threads)} B/request, {wall.Elapsed.TotalMilliseconds:0} ms");
        }
        return 0;
    }
}
