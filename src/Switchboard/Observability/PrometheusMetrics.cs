using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Switchboard.Config;

namespace Switchboard.Observability;

/// <summary>
/// The OpenTelemetry meter provider behind GET /metrics (OpenTelemetry.Exporter.Prometheus.AspNetCore): this gateway's
/// <see cref="GatewayMetrics"/> aggregated in process, written as Prometheus text when scraped. Independent of OTLP
/// export. On by default (<c>telemetry.prometheus</c>); what it costs a request is the instruments' aggregation.
/// </summary>
internal sealed class PrometheusMetrics : IDisposable
{
    public const string Path = "/metrics";

    private PrometheusMetrics(MeterProvider provider) => Provider = provider;

    public MeterProvider Provider { get; }

    public static PrometheusMetrics? Start(TelemetryConfig config, GatewayMetrics metrics)
    {
        if (!config.Prometheus) return null;
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(GatewayMetrics.Name)
            .AddView(instrument => metrics.IsMine(instrument) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(ConfigureExporter)
            .Build();
        return new PrometheusMetrics(provider);
    }

    private static void ConfigureExporter(PrometheusAspNetCoreOptions options)
    {
        options.ScrapeEndpointPath = Path;
        // Names as issue #15 spells them: no otel_scope_* labels on every series, no target_info series.
        options.ScopeInfoEnabled = false;
        options.TargetInfoEnabled = false;
        // Every scrape sees the requests finished before it (the exporter's default caches a response for 300 ms).
        options.ScrapeResponseCacheDurationMilliseconds = 0;
    }

    public void Dispose() => Provider.Dispose();
}
