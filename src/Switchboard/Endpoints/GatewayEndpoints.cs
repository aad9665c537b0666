using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Observability;
using Switchboard.Pipeline;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>Every endpoint the gateway serves: the API behind the gateway key, the open probes and health, the loopback admin endpoints.</summary>
internal static class GatewayEndpoints
{
    public static void MapGateway(this WebApplication app)
    {
        var runtime = app.Services.GetRequiredService<GatewayRuntime>();
        var events = app.Services.GetRequiredService<RequestEventHub>();

        // The API: every endpoint behind the one gateway-key check.
        var api = app.MapGroup("").RequireGatewayKey(runtime);
        CompletionEndpoints.Map(api, app.Services.GetRequiredService<CompletionPipeline>());
        api.MapGet("/v1/models", (HttpContext c) => ModelsEndpoint.HandleAsync(c, runtime))
            .WithMetadata(ClientApiMetadata.Detected(ClientApiMetadata.ByVersionHeader));
        api.MapPost("/v1/route", (HttpContext c) => RouteEndpoint.HandleAsync(c, runtime))
            .WithMetadata(ClientApiMetadata.Detected(RouteEndpoint.DetectApi));
        var decisions = app.Services.GetRequiredService<Routing.Feedback.RecentDecisions>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        api.MapPost(FeedbackEndpoint.Path, (HttpContext c) => FeedbackEndpoint.HandleAsync(c, runtime, decisions, time));

        // Open to anyone: liveness, and the connectivity probes (Claude Code sends HEAD / and HEAD /api/hello to its
        // base URL and takes anything but 2xx as down).
        app.MapGet("/healthz", (HttpContext c) => HealthEndpoint.HandleAsync(c, runtime, events));
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", getOrHead, ProbeEndpoints.RootAsync);
        app.MapMethods("/api/hello", getOrHead, ProbeEndpoints.HelloAsync);

        // Loopback only: live events and the latest request per session, for watch and statusline.
        AdminEndpoints.Map(app);
        MetricsEndpoint.Map(app, runtime); // Prometheus text, same access as the admin endpoints

        // Anything else: a clear error in the format the path suggests.
        app.MapFallback((HttpContext c) =>
        {
            var client = c.Request.Path.StartsWithSegments(CompletionEndpoints.MessagesPath) || c.Request.Headers.ContainsKey("anthropic-version") ? ApiFormat.Anthropic : ApiFormat.OpenAI;
            var known = c.Request.Path.Value is CompletionEndpoints.MessagesPath or CompletionEndpoints.CountTokensPath or CompletionEndpoints.ChatCompletionsPath
                or "/v1/models" or "/v1/route" or "/healthz" or "/" or "/api/hello";
            return known
                ? ClientErrors.WriteAsync(c, client, 405, $"method {c.Request.Method} is not allowed on {c.Request.Path}.")
                : ClientErrors.WriteAsync(c, client, 404, $"Switchboard has no endpoint {c.Request.Method} {c.Request.Path}. It serves {ProbeEndpoints.EndpointList}.");
        });
    }
}
