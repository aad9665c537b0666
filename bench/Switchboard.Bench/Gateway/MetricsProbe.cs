using System.Diagnostics;
using Switchboard.Config;
using Switchboard.Observability;
using Switchboard.Pipeline;
using Switchboard.Protocols;
using Switchboard.Runtime;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `probe-metrics [N]`: what recording a finished request into the gateway's metrics costs the request's thread
/// (<see cref="GatewayMetrics.Record"/>: requests, two histograms, tokens of four kinds, cost), with nothing listening
/// (telemetry.prometheus: false, no OTLP) and with the Prometheus endpoint's meter provider aggregating (the default;
/// nobody scraping). Median of 5 rounds of N, on one thread.
/// </summary>
internal static class MetricsProbe
{
    public static int Run(string[] args)
    {
        var n = args.Length > 1 && int.TryParse(args[1], out var parsed) ? parsed : 1_000_000;
        var load = ConfigLoader.LoadText("""
            version: v1
            model_providers:
              - model: anthropic/claude-sonnet-4-5
                access_key: k
                default: true
            """, env: new EnvironmentSource(_ => null));
        using var snapshot = SnapshotFactory.Create(load.Config!);
        var runtime = new GatewayRuntime(snapshot);
        var request = new CompletedRequest
        {
            Time = DateTimeOffset.UtcNow, RequestId = "0HNBENCH", ClientApi = ApiFormat.Anthropic, Operation = Operation.Messages,
            RequestedModel = "claude-sonnet-4-5", Route = "none", Selection = "literal", Model = "anthropic/claude-sonnet-4-5", Provider = "anthropic",
            Status = 200, LatencyMs = 1234.5, TtfbMs = 456.7, Usage = new TokenUsage(12_000, 800, CachedInputTokens: 10_000, CacheWriteTokens: 1_500), CostUsd = 0.0234m,
        };
        foreach (var prometheus in new[] { false, true })
        {
            using var metrics = new GatewayMetrics(runtime);
            using var provider = prometheus ? PrometheusMetrics.Start(new TelemetryConfig(), metrics) : null;
            for (var i = 0; i < 100_000; i++) metrics.Record(in request);
            var rounds = new List<(double Ns, double Bytes)>();
            for (var round = 0; round < 5; round++)
            {
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++) metrics.Record(in request);
                rounds.Add((Stopwatch.GetElapsedTime(start).TotalNanoseconds / n, (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)n));
            }
            var median = rounds.OrderBy(r => r.Ns).ElementAt(2);
            Console.Error.WriteLine($"metrics record, {(prometheus ? "/metrics on (aggregating, not scraped)" : "nothing listening")}: {median.Ns:0} ns and {median.Bytes:0} B per request (median of 5 × {n:N0})");
        }
        return 0;
    }
}
