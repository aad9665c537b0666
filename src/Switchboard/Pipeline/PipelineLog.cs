using Microsoft.Extensions.Logging;

namespace Switchboard.Pipeline;

/// <summary>
/// What the steps log along a request's way (source-generated: no formatting cost when a level is off; never a key).
/// The one line per finished request is the log sink's (Observability/GatewayLog).
/// </summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "route {RequestId} router={Router} route={Route} model={Model} reason={Reason} decision_ms={DecisionMs:F3}{Detail}")]
    public static partial void RouteDecision(ILogger logger, string requestId, string router, string route, string model, string reason, double decisionMs, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "request {RequestId} requested model '{RequestedModel}' is not configured; the default '{Model}' answers")]
    public static partial void DefaultModelUsed(ILogger logger, string requestId, string requestedModel, string model);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "request {RequestId} upstream {Provider} failed: {Reason}")]
    public static partial void UpstreamFailed(ILogger logger, string requestId, string provider, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error,
        Message = "request {RequestId} stream from {Provider} ended before its final event ({Missing}) after {Count} {Unit}: the client got an error event")]
    public static partial void StreamTruncated(ILogger logger, string requestId, string provider, string missing, long count, string unit);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "request {RequestId} stream from {Provider} broke after {Bytes} bytes to the client: {Reason}")]
    public static partial void StreamBroken(ILogger logger, string requestId, string provider, long bytes, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "request {RequestId} fallback: {Model} skipped ({Reason}); trying {Next}")]
    public static partial void FallbackSkipped(ILogger logger, string requestId, string model, string reason, string next);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "request {RequestId} failed inside the gateway")]
    public static partial void Unhandled(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "request {RequestId} completion sink {Sink} failed")]
    public static partial void SinkFailed(ILogger logger, string requestId, string sink, Exception exception);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning,
        Message = "overloaded: refused {Refused} requests since the last such line; in flight {InFlight} requests, {BodyMb} MB of bodies (limits.max_concurrent_requests {Cap}, max_request_bytes_in_flight {BodyCapMb} MB)")]
    public static partial void Shedding(ILogger logger, long refused, int inFlight, long bodyMb, int cap, long bodyCapMb);

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "request {RequestId} hosted tools {Tools} left out: {Model} cannot run them (only OpenAI does)")]
    public static partial void HostedToolsDropped(ILogger logger, string requestId, string tools, string model);
}
