using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>Source-generated log messages: no formatting cost when a level is off, and never a key.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "request {RequestId} api={ClientApi} op={Operation} requested={RequestedModel} model={Model} provider={Provider} route={Route} selection={Selection} status={Status} latency_ms={LatencyMs:F1} ttfb_ms={TtfbMs:F1} stream={Stream} input_tokens={InputTokens} output_tokens={OutputTokens}{Outcome}")]
    public static partial void Request(ILogger logger, string requestId, string clientApi, string operation, string requestedModel, string model, string provider, string route, string selection,
        int status, double latencyMs, double ttfbMs, bool stream, string inputTokens, string outputTokens, string outcome);

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

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Switchboard listening on {Address} ({Config})")]
    public static partial void Listening(ILogger logger, string address, string config);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "config: {Diagnostic}")]
    public static partial void ConfigDiagnostic(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable from other machines, and NO gateway_keys are configured: anyone who can reach this port can spend your provider keys. Add gateway_keys to the config, or listen on 127.0.0.1.")]
    public static partial void ExposedWithoutKeys(ILogger logger, string address);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "request {RequestId} fallback: {Model} skipped ({Reason}); trying {Next}")]
    public static partial void FallbackSkipped(ILogger logger, string requestId, string model, string reason, string next);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Switchboard stopping: waiting for {Requests} in flight to finish (up to {GraceSeconds:0} s)")]
    public static partial void Draining(ILogger logger, string requests, double graceSeconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "cut {Requests} still running when the {GraceSeconds:0} s shutdown grace ran out")]
    public static partial void RequestsCut(ILogger logger, string requests, double graceSeconds);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "request {RequestId} failed inside the gateway")]
    public static partial void Unhandled(ILogger logger, string requestId, Exception exception);
}
