using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Identity;
using Switchboard.Pipeline;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// The one gateway-key check, in front of every endpoint of the group it is required on (the API: completions,
/// /v1/models, /v1/route). It leaves its verdict (<see cref="CallerFeature"/>: the named caller, an open gateway, or a
/// refusal) on the request; a refusal is a 401 in the client's format, answered here, or by the completion pipeline
/// (<see cref="ClientApiMetadata.AnswersRefusal"/>), which logs and counts it like any request. A wrapper around each
/// endpoint's request delegate: a request that passes costs a byte compare per key and a feature set, no allocation.
/// </summary>
internal static class GatewayKeyFilter
{
    public static RouteGroupBuilder RequireGatewayKey(this RouteGroupBuilder group, GatewayRuntime runtime) =>
        group.WrapEach(next => context => CheckAsync(context, runtime, next));

    private static Task CheckAsync(HttpContext context, GatewayRuntime runtime, RequestDelegate next)
    {
        var verdict = runtime.Current.Keyring.Check(context.Request);
        context.Features.Set(verdict);
        if (!verdict.IsRefused) return next(context);
        var api = context.GetEndpoint()?.Metadata.GetMetadata<ClientApiMetadata>();
        if (api is { AnswersRefusal: true }) return next(context);
        return ClientErrors.WriteAsync(context, api?.For(context.Request) ?? ApiFormat.OpenAI, 401, verdict.Message);
    }
}
