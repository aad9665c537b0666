using Microsoft.Extensions.Logging;

namespace Switchboard.Observability;

/// <summary>
/// The gateway's own log lines, source-generated: no formatting cost when a level is off, and never a key. What the
/// pipeline's steps log along a request's way is in Pipeline/PipelineLog.
/// </summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "request {RequestId} api={ClientApi} op={Operation} requested={RequestedModel} model={Model} provider={Provider} route={Route} selection={Selection} status={Status} latency_ms={LatencyMs:F1} ttfb_ms={TtfbMs:F1} stream={Stream} input_tokens={InputTokens} output_tokens={OutputTokens} caller={Caller}{Outcome}")]
    public static partial void Request(ILogger logger, string requestId, string clientApi, string operation, string requestedModel, string model, string provider, string route, string selection,
        int status, double latencyMs, double ttfbMs, bool stream, string inputTokens, string outputTokens, string caller, string outcome);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Switchboard listening on {Address} ({Config})")]
    public static partial void Listening(ILogger logger, string address, string config);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable from other machines, and NO gateway_keys are configured: anyone who can reach this port can spend your provider keys. Add gateway_keys to the config, or listen on 127.0.0.1.")]
    public static partial void ExposedWithoutKeys(ILogger logger, string address);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Switchboard stopping: waiting for {Requests} in flight to finish (up to {GraceSeconds:0} s)")]
    public static partial void Draining(ILogger logger, string requests, double graceSeconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "cut {Requests} still running when the {GraceSeconds:0} s shutdown grace ran out")]
    public static partial void RequestsCut(ILogger logger, string requests, double graceSeconds);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "semantic routing stage ready (all-MiniLM-L6-v2, loaded in {Seconds:F1} s)")]
    public static partial void SemanticReady(ILogger logger, double seconds);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "semantic routing stage unavailable, the lexical stage routes alone: {Reason}")]
    public static partial void SemanticUnavailable(ILogger logger, string reason);
}
