using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchboard.Server;

/// <summary>
/// Metrics and traces under the name "Switchboard" (System.Diagnostics.Metrics / ActivitySource): free when
/// nothing listens; visible with dotnet-counters / dotnet-trace or any OpenTelemetry listener.
/// </summary>
internal static class GatewayMetrics
{
    public const string Name = "Switchboard";

    public static readonly ActivitySource Activities = new(Name);
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("switchboard.requests", description: "Finished requests");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("switchboard.request.duration", "ms", "Time from request to the end of the response");
    private static readonly Histogram<double> FirstByte = Meter.CreateHistogram<double>("switchboard.request.time_to_first_byte", "ms", "Time until the provider's response headers");
    private static readonly Counter<long> Tokens = Meter.CreateCounter<long>("switchboard.tokens", description: "Tokens reported by providers");
    private static readonly Histogram<double> Routing = Meter.CreateHistogram<double>("switchboard.routing.duration", "ms", "Routing decision time");

    /// <summary>
    /// The request's span, when something listens: a child of the client's W3C trace context (traceparent /
    /// tracestate) when it sent one, so the gateway's span and the upstream call (HttpClient sends the span's
    /// traceparent) join the client's trace. Nothing is allocated when nothing listens.
    /// </summary>
    public static Activity? StartRequestActivity(Microsoft.AspNetCore.Http.IHeaderDictionary headers)
    {
        if (!Activities.HasListeners()) return null;
        ActivityContext.TryParse(headers[TraceContext.Parent].ToString(), headers[TraceContext.State].ToString(), isRemote: true, out var parent);
        return Activities.StartActivity("switchboard.request", ActivityKind.Server, parent);
    }

    public static void RecordRequest(RequestRecord record, double latencyMs, double ttfbMs)
    {
        if (!Requests.Enabled && !Duration.Enabled && !Tokens.Enabled) return;
        var tags = new TagList
        {
            { "client_api", CompletionPipeline.ApiName(record.Client) },
            { "provider", record.Provider },
            { "model", record.Model },
            { "route", record.Route },
            { "status", record.Status },
        };
        Requests.Add(1, tags);
        Duration.Record(latencyMs, tags);
        FirstByte.Record(ttfbMs, tags);
        if (record.Usage.InputTokens is { } input) Tokens.Add(input, new TagList { { "direction", "input" }, { "provider", record.Provider }, { "model", record.Model } });
        if (record.Usage.OutputTokens is { } output) Tokens.Add(output, new TagList { { "direction", "output" }, { "provider", record.Provider }, { "model", record.Model } });
    }

    public static void RecordRouting(string router, string reason, double ms)
    {
        if (Routing.Enabled) Routing.Record(ms, new TagList { { "router", router }, { "reason", reason } });
    }
}

/// <summary>W3C Trace Context header names.</summary>
internal static class TraceContext
{
    public const string Parent = "traceparent";
    public const string State = "tracestate";
}
