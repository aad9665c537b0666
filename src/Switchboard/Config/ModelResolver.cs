namespace Switchboard.Config;

/// <summary>
/// Resolves a model name to the configured model that serves it: a literal ("openai/gpt-4.1", or
/// "openrouter/x" under an "openrouter/*" wildcard), or a bare id exactly one provider serves ("gpt-4.1").
/// The one place this is decided, for requests and for names in config (alias targets, fallbacks, routes).
/// </summary>
internal sealed class ModelResolver
{
    private readonly Dictionary<string, ModelEntry> _byLiteral = new(StringComparer.OrdinalIgnoreCase);
    // A bare id served by several providers maps to all of them: ambiguous, so it resolves to none.
    private readonly Dictionary<string, List<ModelEntry>> _byBareId = new(StringComparer.OrdinalIgnoreCase);

    public ModelResolver(IEnumerable<ModelEntry> providers)
    {
        foreach (var p in providers)
        {
            _byLiteral.TryAdd(p.Model, p);
            if (p.ModelId == "*") continue;
            if (!_byBareId.TryGetValue(p.ModelId, out var serving)) _byBareId[p.ModelId] = serving = [];
            if (!serving.Contains(p)) serving.Add(p);
        }
    }

    /// <summary>A configured literal: exactly, or through a provider wildcard. <paramref name="modelId"/> is the upstream id.</summary>
    public bool TryLiteral(string literal, out ModelEntry provider, out string modelId)
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

    /// <summary>A bare id that exactly one provider serves.</summary>
    public bool TryBareId(string id, out ModelEntry provider)
    {
        if (_byBareId.TryGetValue(id, out var serving) && serving.Count == 1)
        {
            provider = serving[0];
            return true;
        }
        provider = null!;
        return false;
    }

    /// <summary>A literal, else a bare id one provider serves.</summary>
    public bool TryResolve(string name, out ModelEntry provider, out string modelId)
    {
        if (TryLiteral(name, out provider, out modelId)) return true;
        if (TryBareId(name, out provider))
        {
            modelId = provider.ModelId;
            return true;
        }
        return false;
    }

    /// <summary>Every model serving a bare id (more than one means the id is ambiguous).</summary>
    public IReadOnlyList<ModelEntry> Serving(string bareId) =>
        _byBareId.TryGetValue(bareId, out var serving) ? serving : [];
}
