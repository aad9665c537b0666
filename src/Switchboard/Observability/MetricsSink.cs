using Switchboard.Pipeline;

namespace Switchboard.Observability;

/// <summary>Each finished request into the "Switchboard" metrics: requests, duration, time to first byte, tokens, and the routing decision's time.</summary>
internal sealed class MetricsSink : ICompletionSink
{
    public void OnCompleted(in CompletedRequest request)
    {
        if (request.Choice is { Reason: { } reason } choice)
            GatewayMetrics.RecordRouting(choice.Router, SelectionNames.Of(reason), choice.RoutingMs);
        GatewayMetrics.RecordRequest(in request);
    }
}
