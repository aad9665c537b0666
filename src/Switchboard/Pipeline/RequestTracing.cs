using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Pipeline;

/// <summary>
/// A <c>switchboard.request</c> span per request under the "Switchboard" ActivitySource, when something listens
/// (an OpenTelemetry exporter: Observability/TelemetryExport). Nothing is allocated when nothing listens.
/// </summary>
internal static class RequestTracing
{
    public const string SourceName = "Switchboard";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The request's span: a child of the client's W3C trace context (traceparent / tracestate) when it sent one, so
    /// the gateway's span and the upstream call (HttpClient sends the span's traceparent) join the client's trace.
    /// </summary>
    public static Activity? Start(IHeaderDictionary headers, string requestId)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(headers[TraceContext.Parent].ToString(), headers[TraceContext.State].ToString(), isRemote: true, out var parent);
        var activity = Source.StartActivity("switchboard.request", ActivityKind.Server, parent);
        activity?.SetTag("switchboard.request_id", requestId);
        return activity;
    }

    /// <summary>Tags the span with how the request ended, and ends it.</summary>
    public static void Stop(Activity? activity, GatewayRequest request)
    {
        if (activity is null) return;
        activity.SetTag("switchboard.model", request.Model);
        activity.SetTag("switchboard.route", request.Route);
        activity.SetTag("http.response.status_code", request.Status);
        activity.Dispose();
    }
}
