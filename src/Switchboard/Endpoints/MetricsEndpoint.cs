using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Observability;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// GET /metrics: this gateway's metrics in Prometheus text, written by OpenTelemetry's exporter
/// (<see cref="PrometheusMetrics"/>). Same access as the other admin endpoints (<see cref="AdminScope"/>): loopback
/// clients without gateway keys, an admin key with them; a plain key gets a 403 (metrics are everyone's traffic).
/// </summary>
internal static class MetricsEndpoint
{
    public const string OffMessage = "Switchboard: GET /metrics is off on this gateway (telemetry.prometheus: false).\n";

    public static void Map(WebApplication app, GatewayRuntime runtime)
    {
        if (app.Services.GetService<PrometheusMetrics>() is { } prometheus)
        {
            app.MapPrometheusScrapingEndpoint(PrometheusMetrics.Path, prometheus.Provider, pipeline => pipeline.Use(AdminScope.AdminOnly(runtime)), optionsName: null!);
            return;
        }
        app.MapGet(PrometheusMetrics.Path, (HttpContext c) =>
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            return c.Response.WriteAsync(OffMessage);
        });
    }
}
