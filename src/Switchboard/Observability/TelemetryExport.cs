using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchboard.Config;
using Switchboard.Pipeline;

namespace Switchboard.Observability;

/// <summary>
/// Sends the "Switchboard" metrics and request traces to an OTLP/HTTP receiver (an OpenTelemetry Collector, or
/// any backend that speaks OTLP) when telemetry.otlp_endpoint is set. Disposing flushes what is pending.
/// </summary>
internal sealed class TelemetryExport : IDisposable
{
    private readonly MeterProvider _meters;
    private readonly TracerProvider _traces;

    private TelemetryExport(MeterProvider meters, TracerProvider traces)
    {
        _meters = meters;
        _traces = traces;
    }

    public static TelemetryExport? Start(TelemetryConfig config, GatewayMetrics metrics)
    {
        if (config.OtlpEndpoint is not { } endpoint) return null;
        var resource = ResourceBuilder.CreateDefault().AddService(config.ServiceName);
        // With OTLP/HTTP a programmatic endpoint is used as given: the signal's path is ours to add.
        var baseUrl = endpoint.ToString().TrimEnd('/');
        var meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(GatewayMetrics.Name)
            .AddView(instrument => metrics.IsMine(instrument) ? null : MetricStreamConfiguration.Drop) // not another gateway's in this process
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(baseUrl + "/v1/metrics");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = config.ExportIntervalMs;
            })
            .Build();
        var traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            // archgw's tracing.random_sampling: that share of new traces; a client's sampled trace is always followed.
            .SetSampler(config.SamplingRatio is { } ratio ? new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)) : new ParentBasedSampler(new AlwaysOnSampler()))
            .AddSource(RequestTracing.SourceName)
            .AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = new Uri(baseUrl + "/v1/traces");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = config.ExportIntervalMs;
            })
            .Build();
        return new TelemetryExport(meters, traces);
    }

    public void Dispose()
    {
        _traces.Dispose();
        _meters.Dispose();
    }
}
