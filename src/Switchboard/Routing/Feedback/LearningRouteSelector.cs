using System.Globalization;

namespace Switchboard.Routing.Feedback;

/// <summary>
/// A router that has learnt from a team's corrections: when the latest user turn is a corrected prompt, or close to
/// one, the correction decides; otherwise the wrapped router does. Only corrections made under the same policy count
/// (<see cref="PolicyKey"/>). Answers under the wrapped router's name: it is the same router, corrected.
/// </summary>
internal sealed class LearningRouteSelector : IRouteSelector
{
    private readonly IRouteSelector _inner;
    private readonly IFeedbackStore _store;
    private (string Fingerprint, long Version, bool Semantic, CorrectionIndex Index)? _index;

    public LearningRouteSelector(IRouteSelector inner, IFeedbackStore store)
    {
        _inner = inner;
        _store = store;
    }

    public string Name => _inner.Name;

    public IRouteSelector Inner => _inner;

    public IFeedbackStore Store => _store;

    public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
    {
        var learnt = TrySelect(input, policy);
        if (learnt is not null) return ValueTask.FromResult(learnt);
        // No correction close enough to decide alone: corrections still lean an unsure semantic decision their way.
        if (_inner is EmbeddedRouteSelector embedded && _index is { Semantic: true } current && current.Fingerprint == policy.Fingerprint
            && current.Index.RouteExamples.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(embedded.Select(input, policy, current.Index.RouteExamples));
        }
        return _inner.SelectAsync(input, policy, cancellationToken);
    }

    /// <summary>The correction that decides this input, or null when none is close enough.</summary>
    public RouteSelection? TrySelect(RouterInput input, RoutePolicy policy)
    {
        string? latest = null;
        for (var i = input.Turns.Count - 1; i >= 0 && latest is null; i--)
            if (input.Turns[i].Role == TurnRole.User) latest = input.Turns[i].Text;
        if (latest is null) return null;
        // With the semantic stage loaded for this policy, corrections are labelled examples in embedding space too.
        var encoder = (_inner as EmbeddedRouteSelector)?.SemanticFor(policy)?.Encoder;
        if (encoder is { IsReady: false }) encoder = null;
        var index = IndexFor(policy, encoder);
        if (!index.TryMatch(latest, out var route, out var similarity, out var how)) return null;
        var detail = how == CorrectionMatch.Same ? "team correction (same prompt)"
            : how == CorrectionMatch.Meaning ? string.Create(CultureInfo.InvariantCulture, $"team corrections (close in meaning, {similarity:F2})")
            : how == CorrectionMatch.Reading ? string.Create(CultureInfo.InvariantCulture, $"team correction (read alike, {similarity:F2})")
            : string.Create(CultureInfo.InvariantCulture, $"team correction (similar prompt, {similarity:F2})");
        return route == PolicyKey.Other ? new RouteSelection(null, RouteReason.Other, detail) : new RouteSelection(route, RouteReason.Matched, detail);
    }

    private CorrectionIndex IndexFor(RoutePolicy policy, Semantic.SentenceEncoderHost? encoder)
    {
        var version = _store.Version;
        var current = _index;
        if (current is { } c && c.Fingerprint == policy.Fingerprint && c.Version == version && c.Semantic == encoder is not null) return c.Index;
        var embedded = _inner as EmbeddedRouteSelector;
        var index = new CorrectionIndex(_store.ReadAll(), policy, encoder, embedded is null ? null : prompt => embedded.Signature(prompt, policy));
        _index = (policy.Fingerprint, version, encoder is not null, index);
        return index;
    }
}
