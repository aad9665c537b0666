using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchboard.Pipeline;

namespace Switchboard.Observability;

/// <summary>
/// Metrics under the name "Switchboard" (System.Diagnostics.Metrics): free when nothing listens; visible with
/// dotnet-counters or any OpenTelemetry listener (<see cref="TelemetryExport"/>). Recorded by <see cref="MetricsSink"/>.
/// </summary>
internal static class GatewayMetrics
{
    public const string Name = "Switchboard";

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("switchboard.requests", description: "Finished requests");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("switchboard.request.duration", "ms", "Time from request to the end of the response");
    private static readonly Histogram<double> FirstByte = Meter.CreateHistogram<double>("switchboard.request.time_to_first_byte", "ms", "Time until the provider's response headers");
    private static readonly Counter<long> Tokens = Meter.CreateCounter<long>("switchboard.tokens", description: "Tokens reported by providers");
    private static readonly Histogram<double> Routing = Meter.CreateHistogram<double>("switchboard.routing.duration", "ms", "Routing decision time");

    public static void RecordRequest(in CompletedRequest request)
    {
        if (!Requests.Enabled && !Duration.Enabled && !Tokens.Enabled) return;
        var tags = new TagList
        {
            { "client_api", ApiNames.Of(request.ClientApi) },
            { "provider", request.Provider },
            { "model", request.Model },
            { "route", request.Route },
            { "status", request.Status },
            { "caller", request.Caller ?? "-" },
        };
        Requests.Add(1, tags);
        Duration.Record(request.LatencyMs, tags);
        FirstByte.Record(request.TtfbMs, tags);
        if (request.Usage.InputTokens is { } input) Tokens.Add(input, new TagList { { "direction", "input" }, { "provider", request.Provider }, { "model", request.Model } });
        if (request.Usage.OutputTokens is { } output) Tokens.Add(output, new TagList { { "direction", "output" }, { "provider", request.Provider }, { "model", request.Model } });
    }

    public static void RecordRouting(string router, string reason, double ms)
    {
        if (Routing.Enabled) Routing.Record(ms, new TagList { { "router", router }, { "reason", reason } });
    }
}
