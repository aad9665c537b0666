using Switchboard.Pipeline;

namespace Switchboard.Observability;

/// <summary>Each finished request into this gateway's metrics (<see cref="GatewayMetrics"/>): requests, durations, tokens, cost, routing decisions.</summary>
internal sealed class MetricsSink(GatewayMetrics metrics) : ICompletionSink
{
    public void OnCompleted(in CompletedRequest request) => metrics.Record(in request);
}
