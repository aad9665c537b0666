namespace Switchboard.Routing;

/// <summary>One route of the policy, in config order: name, plain-words description, the model it goes to.</summary>
internal sealed record RouteDefinition(string Name, string Description, string Model)
{
    /// <summary>Models or aliases to try when the route's model fails (not part of the router's view).</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];
}

/// <summary>The routes a router chooses among, in config order (deterministic prompt and tie-breaking).</summary>
internal sealed record RoutePolicy(IReadOnlyList<RouteDefinition> Routes)
{
    /// <summary>Stable fingerprint of the policy, part of the decision cache key.</summary>
    public string Fingerprint { get; } = ComputeFingerprint(Routes);

    public RouteDefinition? Find(string name)
    {
        foreach (var route in Routes)
            if (string.Equals(route.Name, name, StringComparison.OrdinalIgnoreCase)) return route;
        return null;
    }

    private static string ComputeFingerprint(IReadOnlyList<RouteDefinition> routes)
    {
        var text = new System.Text.StringBuilder();
        foreach (var r in routes) text.Append(r.Name).Append('\u001f').Append(r.Description).Append('\u001f').Append(r.Model).Append('\u001e');
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }
}

internal enum TurnRole { User, Assistant }

/// <summary>A turn of conversation as a router sees it: text only.</summary>
internal readonly record struct RouterTurn(TurnRole Role, string Text);

/// <summary>
/// What a router reads: user and assistant text only, oldest first, already trimmed to the token budget
/// (newest turns kept, the latest user turn always whole). Built by <c>RouterInputBuilder</c>.
/// </summary>
internal sealed record RouterInput(IReadOnlyList<RouterTurn> Turns)
{
    /// <summary>Stable key of the conversation state, for the decision cache.</summary>
    public string CacheKey { get; } = ComputeKey(Turns);

    /// <summary>
    /// False when the request's last message is not a user turn with text (a tool result, an assistant step); then,
    /// built for routing.route_on_user_only, the turns end at the latest user turn, so the key is that turn's.
    /// </summary>
    public bool EndsWithUserTurn { get; init; } = true;

    private static string ComputeKey(IReadOnlyList<RouterTurn> turns)
    {
        var text = new System.Text.StringBuilder();
        foreach (var t in turns) text.Append(t.Role == TurnRole.User ? 'u' : 'a').Append(t.Text).Append('\u001e');
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }
}

/// <summary>Why a routing decision came out as it did (logged, and returned by /v1/route).</summary>
internal enum RouteReason { Matched, Other, Forced, Skipped, Timeout, Error }

/// <summary>A router's answer: a route name from the policy, or null for "other".</summary>
internal sealed record RouteSelection(string? Route, RouteReason Reason, string? Detail = null)
{
    /// <summary>
    /// Made without a stage that was still loading (the embedded router's semantic stage): good for this request, not
    /// worth caching, since the same conversation a moment later gets the full decision.
    /// </summary>
    public bool Provisional { get; init; }
}

/// <summary>A router: embedded (in-process) or llm (Arch-Router protocol over HTTP).</summary>
internal interface IRouteSelector
{
    /// <summary>"embedded" or "llm".</summary>
    string Name { get; }

    /// <summary>Picks a route. Implementations must not throw for routing failures: they return Timeout/Error.</summary>
    ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken);
}
