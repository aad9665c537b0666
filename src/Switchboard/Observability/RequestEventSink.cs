using Switchboard.Pipeline;

namespace Switchboard.Observability;

/// <summary>Each finished request onto the <see cref="RequestEventHub"/>: `switchboard watch`, the per-session tracker behind `statusline`, and /healthz's counts.</summary>
internal sealed class RequestEventSink(RequestEventHub hub) : ICompletionSink
{
    public void OnCompleted(in CompletedRequest request) =>
        hub.Publish(new RequestEvent(request.RequestId, request.Time, ApiNames.Of(request.ClientApi), request.RequestedModel, request.Model, request.Provider, request.Route,
            request.Selection, request.Status, request.LatencyMs, request.TtfbMs, request.Stream, request.Usage.InputTokens, request.Usage.OutputTokens, request.Error, request.SessionId,
            request.CostUsd, request.Caller, request.CacheHit, request.Background));
}
