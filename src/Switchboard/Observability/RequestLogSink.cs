using Microsoft.Extensions.Logging;
using Switchboard.Pipeline;

namespace Switchboard.Observability;

/// <summary>The one log line per finished request (<see cref="GatewayLog.Request"/>): ids, models, route, status, latency, tokens, the error if any.</summary>
internal sealed class RequestLogSink(ILogger<RequestLogSink> logger) : ICompletionSink
{
    public void OnCompleted(in CompletedRequest request)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        GatewayLog.Request(logger, request.RequestId, ApiNames.Of(request.ClientApi), request.Operation.Name(), request.RequestedModel, request.Model, request.Provider, request.Route,
            request.Selection, request.Status, request.LatencyMs, request.TtfbMs, request.Stream,
            request.Usage.InputTokens?.ToString() ?? "-", request.Usage.OutputTokens?.ToString() ?? "-", request.Caller ?? "-",
            request.CacheHit ? " cache=hit" : request.Error is null ? "" : $" error=\"{request.Error}\"");
    }
}
