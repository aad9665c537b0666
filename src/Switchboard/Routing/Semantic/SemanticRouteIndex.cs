namespace Switchboard.Routing.Semantic;

/// <summary>
/// A policy's routes in embedding space: each route's "name: description", and each phrase of its description
/// ("invoices", "refunds", "payment methods") on its own, so a short request close to one item of a long list still
/// finds its route. Built once per policy (in the background, once the encoder is ready), immutable after.
/// </summary>
internal sealed class SemanticRouteIndex
{
    private readonly float[][] _routes;
    private readonly float[][] _phrases;
    private readonly int[] _phraseRoute;

    private SemanticRouteIndex(float[][] routes, float[][] phrases, int[] phraseRoute, RouteActions actions)
    {
        Actions = actions;
        _routes = routes;
        _phrases = phrases;
        _phraseRoute = phraseRoute;
    }

    public int RouteCount => _routes.Length;

    /// <summary>The actions each route is for (<see cref="RouteActions"/>).</summary>
    public RouteActions Actions { get; }

    public static SemanticRouteIndex? TryBuild(RoutePolicy policy, SentenceEncoderHost encoder)
    {
        var texts = new List<string>();
        var owners = new List<int>();
        for (var r = 0; r < policy.Routes.Count; r++)
        {
            var route = policy.Routes[r];
            foreach (var phrase in Phrases(route.Description)) { texts.Add(phrase); owners.Add(r); }
            texts.Add(route.Name);
            owners.Add(r);
        }
        var full = new string[policy.Routes.Count];
        for (var r = 0; r < full.Length; r++) full[r] = policy.Routes[r].Name + ": " + policy.Routes[r].Description;
        var routes = encoder.TryEncode(full);
        var phrases = encoder.TryEncode([.. texts]);
        return routes is null || phrases is null ? null : new SemanticRouteIndex(routes, phrases, [.. owners], RouteActions.Read(policy));
    }

    /// <summary>Per route: similarity to the whole description and the best similarity to one of its phrases.</summary>
    public void Similarities(ReadOnlySpan<float> query, Span<float> whole, Span<float> phrase)
    {
        for (var r = 0; r < _routes.Length; r++) { whole[r] = SentenceEncoderHost.Dot(_routes[r], query); phrase[r] = -1f; }
        for (var p = 0; p < _phrases.Length; p++)
        {
            var s = SentenceEncoderHost.Dot(_phrases[p], query);
            if (s > phrase[_phraseRoute[p]]) phrase[_phraseRoute[p]] = s;
        }
    }

    /// <summary>"questions about invoices, charges, refunds and payment methods" → its listed items.</summary>
    internal static IEnumerable<string> Phrases(string description)
    {
        var parts = description.Replace(" and ", ", ", StringComparison.Ordinal).Replace(" or ", ", ", StringComparison.Ordinal)
            .Replace(';', ',').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var part in parts)
            if (part.Length > 1) yield return part;
    }
}
