using System.Diagnostics;
using Switchboard.Config;

namespace Switchboard.Routing;

/// <summary>How a request's model was chosen.</summary>
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
public sealed record ModelSelection(
    ProviderConfig Provider,
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
    public string Model => Provider.ModelId == "*" ? $"{Provider.Provider}/{ModelId}" : Provider.Model;
}

/// <summary>
/// Decides which configured model answers a request: literal, bare id, alias, preference route, default.
/// This is where a request's model is chosen; the router plugs in through <see cref="IRouteSelector"/>.
/// </summary>
public sealed class ModelSelector
{
    /// <summary>Request header that forces a route by name, or "none" to skip routing.</summary>
    public const string RouteHeader = "x-switchboard-route";

    private readonly GatewayConfig _config;
    private readonly Dictionary<string, ProviderConfig> _byLiteral = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ProviderConfig?> _byBareId = new(StringComparer.OrdinalIgnoreCase);
    private readonly IRouteSelector? _router;
    private readonly RouteDecisionCache? _cache;

    public ModelSelector(GatewayConfig config, IRouteSelector? router = null, RouteDecisionCache? cache = null)
    {
        _config = config;
        _router = router;
        _cache = cache;
        foreach (var p in config.Providers)
        {
            _byLiteral.TryAdd(p.Model, p);
            if (p.ModelId == "*") continue;
            // A bare id served by two providers is ambiguous: remember that with a null entry.
            _byBareId[p.ModelId] = _byBareId.ContainsKey(p.ModelId) ? null : p;
        }
        var routes = new List<RouteDefinition>();
        foreach (var p in config.Providers)
            foreach (var pref in p.RoutingPreferences)
                routes.Add(new RouteDefinition(pref.Name, pref.Description, p.Model) { Fallbacks = pref.Fallbacks });
        Policy = routes.Count > 0 ? new RoutePolicy(routes) : null;
    }

    /// <summary>The routes from every provider's routing_preferences, in config order; null when there are none.</summary>
    public RoutePolicy? Policy { get; }

    public IRouteSelector? Router => _router;

    /// <summary>Literal, bare id or alias: what needs no router. Null when the name is none of these.</summary>
    public ModelSelection? SelectExplicit(string? requested)
    {
        if (string.IsNullOrEmpty(requested)) return null;
        if (TryLiteral(requested, out var provider, out var id))
            return new ModelSelection(provider, id, SelectionKind.Literal, requested);
        if (_byBareId.TryGetValue(requested, out var bare) && bare is not null)
            return new ModelSelection(bare, bare.ModelId, SelectionKind.BareId, requested);
        if (_config.Aliases.TryGetValue(requested, out var alias) && TryLiteral(alias.Target, out var target, out var targetId))
            return new ModelSelection(target, targetId, SelectionKind.Alias, requested);
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
            && TryLiteral(forcedRoute.Model, out var forcedProvider, out var forcedId))
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
                if (input.Turns.Count == 0)
                    decision = new RouteSelection(null, RouteReason.Other, "no user text to route on");
                else if (_cache is not null)
                    decision = (await _cache.GetOrSelectAsync(_router, input, Policy, cancellationToken).ConfigureAwait(false)).Selection;
                else
                    decision = await _router.SelectAsync(input, Policy, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Routing never fails a request: an unreadable conversation or a broken router means the default answers.
                decision = new RouteSelection(null, RouteReason.Error, $"{ex.GetType().Name}: {ex.Message}");
            }
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (decision.Route is not null && Policy.Find(decision.Route) is { } route && TryLiteral(route.Model, out var routed, out var routedId))
                return new ModelSelection(routed, routedId, SelectionKind.Routed, requested, route.Name, _router.Name, RouteReason.Matched, decision.Detail, elapsed);
            // No route fits (or routing failed): the default answers; with no default, nothing does.
            return Fallback(requested, decision.Reason == RouteReason.Matched ? RouteReason.Other : decision.Reason, decision.Detail, elapsed) is { } fallback
                ? fallback with { Router = _router.Name }
                : null;
        }

        return Fallback(requested, null, null, 0);
    }

    private ModelSelection? Fallback(string requested, RouteReason? reason, string? detail, double elapsedMs)
    {
        var fallback = _config.DefaultProvider;
        if (fallback is null) return null;
        return new ModelSelection(fallback, fallback.ModelId == "*" ? requested : fallback.ModelId, SelectionKind.Default, requested, null, "none", reason, detail, elapsedMs);
    }

    private bool TryLiteral(string literal, out ProviderConfig provider, out string modelId)
    {
        if (_byLiteral.TryGetValue(literal, out provider!))
        {
            modelId = provider.ModelId;
            return true;
        }
        var slash = literal.IndexOf('/');
        if (slash > 0 && _byLiteral.TryGetValue(string.Concat(literal.AsSpan(0, slash), "/*"), out provider!))
        {
            modelId = literal[(slash + 1)..];
            return true;
        }
        modelId = "";
        return false;
    }

    /// <summary>
    /// What answers when <paramref name="selection"/>'s model still fails after retries, in order: the alias's or
    /// route's fallbacks, then the model's own; each a literal or alias (one hop), without repeats.
    /// </summary>
    public IReadOnlyList<ModelSelection> FallbacksFor(ModelSelection selection)
    {
        var names = new List<string>();
        if (selection.Kind == SelectionKind.Alias && _config.Aliases.TryGetValue(selection.RequestedModel, out var alias)) names.AddRange(alias.Fallbacks);
        if (selection.Route is { } routeName && Policy?.Find(routeName) is { } route) names.AddRange(route.Fallbacks);
        names.AddRange(selection.Provider.Fallbacks);
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
