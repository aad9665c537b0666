using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Sessions;

/// <summary>The model for one request of a session, and whether earlier turns' thinking must be left out for it.</summary>
/// <param name="Selection">Null when nothing can answer (no route, no default).</param>
/// <param name="StripPriorThinking">
/// The session's turns were answered under more than one signature domain: thinking blocks before the latest user turn
/// are not the current model's to verify ("Invalid signature in thinking block"), so they are removed.
/// </param>
internal readonly record struct SessionChoice(ModelSelection? Selection, bool StripPriorThinking);

/// <summary>
/// Session-aware model choice in front of <see cref="ModelSelector"/>. Within a session (Claude Code's session id),
/// preference routing decides a user turn once and every request of that turn (tool loop, retry, continuation) keeps
/// the model, even if its router input would now route elsewhere; a new user turn (a new prompt id, or without hint
/// headers a new trailing user text turn) is routed afresh. Auxiliary requests are never preference-routed: the
/// small/fast model, else the session's current one; compaction and summaries stay on the session's current model.
/// A subagent (its own conversation) holds its own pin. Requests naming a configured model or alias, forcing a route,
/// or without a session are chosen exactly as before.
/// </summary>
internal sealed class SessionRouting(ISessionPinStore pins)
{
    public const string HeldDetail = "held for this user turn (session)";
    public const string AuxiliaryDetail = "auxiliary request: not preference-routed";
    public const string CompactionDetail = "compaction: stays on the session's model";

    public ISessionPinStore Pins { get; } = pins;

    /// <param name="latestTurn">Reads the conversation's latest user turn from <paramref name="state"/>; called only when needed.</param>
    public async ValueTask<SessionChoice> SelectAsync<TState>(ModelSelector selector, GatewayConfig config, string requested, string? routeHeader,
        string? sessionId, ClaudeCodeHints hints, Func<RouterInput> routerInput, Func<TState, LatestUserTurn> latestTurn, TState state,
        CancellationToken cancellationToken)
    {
        if (requested.StartsWith(ClaudeCodeChoices.Prefix, StringComparison.Ordinal)
            && ClaudeCodeChoices.TryRead(requested, selector.Policy, out var chosen, out var forcedRoute))
        {
            requested = chosen;
            if (forcedRoute is not null && string.IsNullOrEmpty(routeHeader)) routeHeader = forcedRoute;
        }
        if (sessionId is null || !string.IsNullOrWhiteSpace(routeHeader))
            return new(await selector.SelectAsync(requested, routeHeader, routerInput, cancellationToken).ConfigureAwait(false), false);

        var key = hints.AgentId is null ? sessionId : $"{sessionId}/{hints.AgentId}";
        Pins.TryGet(key, out var pin);
        var explicitSelection = selector.SelectExplicit(requested);
        switch (hints.Kind)
        {
            case SessionRequestKind.Auxiliary:
                if (explicitSelection is not null) return new(explicitSelection, false);
                if (ClaudeCodeChoices.SmallFastName(config) is { } smallFast && selector.SelectExplicit(smallFast) is { } small)
                    return new(small with { RequestedModel = requested, Router = "none", Reason = RouteReason.Skipped, ReasonDetail = AuxiliaryDetail + ", the small/fast model" }, false);
                var main = hints.AgentId is null ? pin : Pins.TryGet(sessionId, out var mainPin) ? mainPin : null;
                if (main is null && ClaudeCodeChoices.SmallFastName(config) is null)
                    main = await Pins.RefreshAsync(hints.AgentId is null ? key : sessionId, null, cancellationToken).ConfigureAwait(false);
                if (main is not null && Rehydrate(selector, main, requested) is { } current)
                    return new(current with { Route = null, Router = "none", Reason = RouteReason.Skipped, ReasonDetail = AuxiliaryDetail + ", the session's model" }, main.MixedDomains);
                return new(await SkipRoutingAsync(selector, requested, routerInput, cancellationToken).ConfigureAwait(false), false);

            case SessionRequestKind.Compaction:
                if (explicitSelection is not null) return new(explicitSelection, pin?.MixedDomains == true);
                if (pin is not null && Rehydrate(selector, pin, requested) is { } session)
                    return new(session with { Route = null, Router = "none", Reason = RouteReason.Skipped, ReasonDetail = CompactionDetail }, pin.MixedDomains);
                return new(await SkipRoutingAsync(selector, requested, routerInput, cancellationToken).ConfigureAwait(false), false);

            case SessionRequestKind.Turn:
            {
                var turnKey = hints.PromptId;
                if (explicitSelection is not null) return Remember(key, pin, turnKey ?? pin?.TurnKey ?? "", explicitSelection);
                if (pin is not null && turnKey is not null && pin.TurnKey == turnKey && Rehydrate(selector, pin, requested) is { } held)
                    return new(Held(held), pin.MixedDomains);
                if (pin is null || (turnKey is not null && pin.TurnKey != turnKey))
                {
                    // Another gateway sharing the pins may have routed this turn already.
                    pin = await Pins.RefreshAsync(key, pin, cancellationToken).ConfigureAwait(false);
                    if (pin is not null && turnKey is not null && pin.TurnKey == turnKey && Rehydrate(selector, pin, requested) is { } heldElsewhere)
                        return new(Held(heldElsewhere), pin.MixedDomains);
                }
                var turn = latestTurn(state);
                // A new prompt id whose conversation does not end with the user's text (nothing to route on): the turn's model goes on.
                if (pin is not null && !turn.EndsConversation && Rehydrate(selector, pin, requested) is { } goesOn)
                {
                    if (turnKey is not null) Pins.Set(key, pin with { TurnKey = turnKey });
                    return new(Held(goesOn), pin.MixedDomains);
                }
                return await RouteTurnAsync(selector, requested, routerInput, key, pin, turnKey ?? turn.Key, cancellationToken).ConfigureAwait(false);
            }

            default:
            {
                // No hints: as before (a configured name, and the small/fast name Claude Code uses for its background
                // calls, are explicit); what would be routed is pinned by the conversation's latest user turn.
                if (explicitSelection is not null) return new(explicitSelection, false);
                var turn = latestTurn(state);
                if (!turn.Exists) return new(await selector.SelectAsync(requested, null, routerInput, cancellationToken).ConfigureAwait(false), false);
                var turnKey = turn.Key;
                if (pin is not null && pin.TurnKey == turnKey && Rehydrate(selector, pin, requested) is { } held)
                    return new(Held(held), pin.MixedDomains);
                pin = await Pins.RefreshAsync(key, pin, cancellationToken).ConfigureAwait(false); // another gateway's, if shared
                if (pin is not null && pin.TurnKey == turnKey && Rehydrate(selector, pin, requested) is { } heldElsewhere)
                    return new(Held(heldElsewhere), pin.MixedDomains);
                if (!turn.EndsConversation) // the middle of a turn this session's pin is not for (another conversation): as before
                    return new(await selector.SelectAsync(requested, null, routerInput, cancellationToken).ConfigureAwait(false), pin?.MixedDomains == true);
                return await RouteTurnAsync(selector, requested, routerInput, key, pin, turnKey, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<SessionChoice> RouteTurnAsync(ModelSelector selector, string requested, Func<RouterInput> routerInput, string key, SessionPin? pin,
        string turnKey, CancellationToken cancellationToken)
    {
        var selection = await selector.SelectAsync(requested, null, routerInput, cancellationToken).ConfigureAwait(false);
        return selection is null ? new(null, false) : Remember(key, pin, turnKey, selection);
    }

    private SessionChoice Remember(string key, SessionPin? pin, string turnKey, ModelSelection selection)
    {
        var domain = SignatureDomain(selection.Entry);
        var mixed = pin is not null && (pin.MixedDomains || pin.SignatureDomain != domain);
        if (pin is null || pin.TurnKey != turnKey || pin.Model != selection.Model || pin.MixedDomains != mixed || pin.Route != selection.Route)
            Pins.Set(key, new SessionPin(turnKey, selection.Model, selection.Kind, selection.Route, selection.Router, selection.Reason, domain, mixed));
        return new(selection, mixed);
    }

    /// <summary>As <c>x-switchboard-route: none</c>: a configured name, else the default; never a router.</summary>
    private static ValueTask<ModelSelection?> SkipRoutingAsync(ModelSelector selector, string requested, Func<RouterInput> routerInput, CancellationToken cancellationToken) =>
        selector.SelectAsync(requested, "none", routerInput, cancellationToken);

    private static ModelSelection Held(ModelSelection selection) => selection with { ReasonDetail = HeldDetail, RoutingMs = 0 };

    /// <summary>The pinned model under the current config (a reload may have removed it: then null, and the turn is routed afresh).</summary>
    private static ModelSelection? Rehydrate(ModelSelector selector, SessionPin pin, string requested) =>
        selector.SelectExplicit(pin.Model) is { } resolved
            ? resolved with { RequestedModel = requested, Kind = pin.Kind, Route = pin.Route, Router = pin.Router, Reason = pin.Reason }
            : null;

    /// <summary>
    /// Whose signatures a model's thinking carries: Anthropic-protocol providers sign their own (another base URL, another
    /// key set); other protocols' thinking reaches the client unsigned and is already removed before an Anthropic upstream.
    /// </summary>
    public static string SignatureDomain(ModelEntry entry) => $"{entry.Interface}|{entry.Provider}|{entry.BaseUrl}";
}
