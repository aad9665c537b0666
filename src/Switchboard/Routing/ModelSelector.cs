using System.Diagnostics;
using Switchboard.Config;

namespace Switchboard.Routing;

/// <summary>How a request's model was chosen.</summary>
// Public: test theories take it as a parameter, and xunit needs public test methods.
public enum SelectionKind
{
    /// <summary>The request named a configured literal ("openai/gpt-4.1").</summary>
    Literal,
    /// <summary>The request named a bare id that exactly one provider serves ("gpt-4.1").</summary>
    BareId,
    /// <summary>The request named an alias.</summary>
    Alias,
    /// <summary>Preference routing picked a route (or forced by header).</summary>
    Routed,
    /// <summary>Nothing matched: the default provider answers.</summary>
    Default,
}

/// <summary>Where a request goes and why. Carried into headers, logs and /v1/route.</summary>
internal sealed record ModelSelection(
    ModelEntry Entry,
    string ModelId,
    SelectionKind Kind,
    string RequestedModel,
    string? Route = null,
    string Router = "none",
    RouteReason? Reason = null,
    string? ReasonDetail = null,
    double RoutingMs = 0)
{
    /// <summary>The literal that answers ("openai/gpt-4.1"; for a wildcard provider, the requested id).</summary>
    public string Model => Entry.ModelId == "*" ? $"{Entry.Provider}/{ModelId}" : Entry.Model;
}

/// <summary>
/// Decides which configured model answers a request: literal, bare id, alias, preference route, default.
/// This is where a request's model is chosen; the router plugs in through <see cref="IRouteSelector"/>.
/// </summary>
internal sealed class ModelSelector
{
    /// <summary>Request header that forces a route by name, or "none" to skip routing.</summary>
    public const string RouteHeader = "x-switchboard-route";

    private readonly GatewayConfig _config;
    private readonly ModelResolver _models;
    private readonly Dictionary<string, (ModelEntry Provider, string ModelId)> _aliases = new(StringComparer.OrdinalIgnoreCase);
    private readonly IRouteSelector? _router;
    private readonly RouteDecisionCache? _cache;

    public ModelSelector(GatewayConfig config, IRouteSelector? router = null, RouteDecisionCache? cache = null)
    {
        _config = config;
        _router = router;
        _cache = cache;
        _models = new ModelResolver(config.Providers);
        // Alias targets resolve like a request's model (literal or unambiguous bare id); the validator rejects the rest.
        foreach (var alias in config.Aliases.Values)
            if (_models.TryResolve(alias.Target, out var target, out var targetId)) _aliases[alias.Alias] = (target, targetId);
        var routes = new List<RouteDefinition>();
        foreach (var p in config.Providers)
            foreach (var pref in p.RoutingPreferences)
                routes.Add(new RouteDefinition(pref.Name, pref.Description, p.Model) { Fallbacks = pref.Fallbacks });
        // plano's top-level routes: the first model answers, the others are its fallbacks in order.
        foreach (var route in config.RoutingPreferences)
            if (route.Models.Count > 0 && LiteralOf(route.Models[0]) is { } first)
                routes.Add(new RouteDefinition(route.Name, route.Description, first) { Fallbacks = route.Models.Skip(1).ToList() });
        Policy = routes.Count > 0 ? new RoutePolicy(routes) : null;
    }

    /// <summary>The routes from every provider's routing_preferences and the top-level ones, in config order; null when there are none.</summary>
    public RoutePolicy? Policy { get; }

    public IRouteSelector? Router => _router;

    /// <summary>Literal, bare id or alias: what needs no router. Null when the name is none of these.</summary>
    public ModelSelection? SelectExplicit(string? requested)
    {
        if (string.IsNullOrEmpty(requested)) return null;
        if (_models.TryLiteral(requested, out var provider, out var id))
            return new ModelSelection(provider, id, SelectionKind.Literal, requested);
        if (_models.TryBareId(requested, out var bare))
            return new ModelSelection(bare, bare.ModelId, SelectionKind.BareId, requested);
        if (_aliases.TryGetValue(requested, out var alias))
            return new ModelSelection(alias.Provider, alias.ModelId, SelectionKind.Alias, requested);
        return null;
    }

    /// <summary>
    /// Full selection. <paramref name="routeHeader"/> is the x-switchboard-route request header;
    /// <paramref name="buildInput"/> is only called when a router will actually run.
    /// Returns null when nothing can answer (no route, no default): the caller reports the available models.
    /// </summary>
    public async ValueTask<ModelSelection?> SelectAsync(string? requested, string? routeHeader, Func<RouterInput> buildInput, CancellationToken cancellationToken)
    {
        requested ??= "";
        var forced = routeHeader?.Trim();
        if (forced is { Length: > 0 } && !forced.Equals("none", StringComparison.OrdinalIgnoreCase) && Policy?.Find(forced) is { } forcedRoute
            && _models.TryLiteral(forcedRoute.Model, out var forcedProvider, out var forcedId))
            return new ModelSelection(forcedProvider, forcedId, SelectionKind.Routed, requested, forcedRoute.Name, "forced", RouteReason.Forced);

        if (SelectExplicit(requested) is { } explicitSelection) return explicitSelection;

        if (Policy is not null && _router is not null)
        {
            if (forced is { Length: > 0 } && forced.Equals("none", StringComparison.OrdinalIgnoreCase))
                return Fallback(requested, RouteReason.Skipped, "x-switchboard-route: none", 0);
            var start = Stopwatch.GetTimestamp();
            RouteSelection decision;
            try
            {
                var input = buildInput();
                decision = input.Turns.Count == 0
                    ? new RouteSelection(null, RouteReason.Other, "no user text to route on")
                    : await DecideAsync(_router, input, Policy, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Routing never fails a request: an unreadable conversation or a broken router means the default answers.
                decision = new RouteSelection(null, RouteReason.Error, $"{ex.GetType().Name}: {ex.Message}");
            }
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (decision.Route is not null && Policy.Find(decision.Route) is { } route && _models.TryLiteral(route.Model, out var routed, out var routedId))
                return new ModelSelection(routed, routedId, SelectionKind.Routed, requested, route.Name, _router.Name, RouteReason.Matched, decision.Detail, elapsed);
            // No route fits (or routing failed): the default answers; with no default, nothing does.
            return Fallback(requested, decision.Reason == RouteReason.Matched ? RouteReason.Other : decision.Reason, decision.Detail, elapsed) is { } fallback
                ? fallback with { Router = _router.Name }
                : null;
        }

        return Fallback(requested, null, null, 0);
    }

    /// <summary>
    /// The router's decision, through the cache. With routing.route_on_user_only, a conversation that does not end
    /// with a user turn (a tool result, an assistant step) keeps the decision made at its latest user turn, whatever
    /// it was (a timeout that sent it to the default included), so an agentic loop never changes model mid-turn.
    /// </summary>
    private async ValueTask<RouteSelection> DecideAsync(IRouteSelector router, RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
    {
        var holds = _config.Routing.RouteOnUserOnly && _cache is not null;
        if (holds && !input.EndsWithUserTurn && _cache!.TryGetHeld(policy, router.Name, input, out var held))
            return held with { Detail = held.Detail is null ? HeldDetail : $"{HeldDetail}; {held.Detail}" };
        var decision = _cache is not null
            ? (await _cache.GetOrSelectAsync(router, input, policy, cancellationToken).ConfigureAwait(false)).Selection
            : await router.SelectAsync(input, policy, cancellationToken).ConfigureAwait(false);
        if (holds) _cache!.Hold(policy, router.Name, input, decision);
        return decision;
    }

    private const string HeldDetail = "held from the latest user turn (route_on_user_only)";

    private ModelSelection? Fallback(string requested, RouteReason? reason, string? detail, double elapsedMs)
    {
        var fallback = _config.DefaultProvider;
        if (fallback is null) return null;
        return new ModelSelection(fallback, fallback.ModelId == "*" ? requested : fallback.ModelId, SelectionKind.Default, requested, null, "none", reason, detail, elapsedMs);
    }

    /// <summary>The literal a name resolves to ("gpt-4.1" → "openai/gpt-4.1"; a wildcard's "openrouter/x" stays as it is).</summary>
    private string? LiteralOf(string name) =>
        !_models.TryResolve(name, out var provider, out var id) ? null
        : provider.ModelId == "*" ? $"{provider.Provider}/{id}"
        : provider.Model;

    /// <summary>
    /// What answers when <paramref name="selection"/>'s model still fails after retries, in order: the alias's or
    /// route's fallbacks, then the model's own; each a literal or alias (one hop), without repeats.
    /// </summary>
    public IReadOnlyList<ModelSelection> FallbacksFor(ModelSelection selection)
    {
        var names = new List<string>();
        if (selection.Kind == SelectionKind.Alias && _config.Aliases.TryGetValue(selection.RequestedModel, out var alias)) names.AddRange(alias.Fallbacks);
        if (selection.Route is { } routeName && Policy?.Find(routeName) is { } route) names.AddRange(route.Fallbacks);
        names.AddRange(selection.Entry.Fallbacks);
        if (names.Count == 0) return [];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { selection.Model };
        var result = new List<ModelSelection>();
        foreach (var name in names)
        {
            if (SelectExplicit(name) is not { } fallback || !seen.Add(fallback.Model)) continue;
            result.Add(fallback with { RequestedModel = selection.RequestedModel, Route = selection.Route, Router = selection.Router, Reason = selection.Reason, Kind = selection.Kind });
        }
        return result;
    }

    /// <summary>Every name a client can use: literals and aliases.</summary>
    public IEnumerable<string> AvailableModels => _config.Providers.Select(p => p.Model).Concat(_config.Aliases.Keys);
}
