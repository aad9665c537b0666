using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Endpoints;

/// <summary>
/// A check in front of every endpoint of a group, as a wrapper around each endpoint's request delegate: what an
/// endpoint filter does, without the per-request invocation context (and its allocations) a filter brings.
/// </summary>
internal static class EndpointFilters
{
    public static RouteGroupBuilder WrapEach(this RouteGroupBuilder group, Func<RequestDelegate, RequestDelegate> wrap)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint =>
            endpoint.RequestDelegate = wrap(endpoint.RequestDelegate ?? throw new InvalidOperationException($"endpoint {endpoint.DisplayName} has no request delegate.")));
        return group;
    }
}
