namespace Switchboard.Config;

/// <summary>Cross-entry checks that need the whole config: duplicates, defaults, alias targets, routes.</summary>
internal static class ConfigValidator
{
    public static void Validate(GatewayConfig config, List<ConfigDiagnostic> diagnostics)
    {
        void Error(int line, string message, string fix) => diagnostics.Add(new(DiagnosticSeverity.Error, line, message, fix));

        var byModel = new Dictionary<string, ModelEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
        {
            if (!byModel.TryAdd(provider.Model, provider))
                Error(provider.Line, $"model '{provider.Model}' is configured twice (first at line {byModel[provider.Model].Line}).", "remove one entry, or give them different model ids.");
        }

        var defaults = config.Providers.Where(p => p.IsDefault).ToList();
        if (defaults.Count > 1)
            foreach (var extra in defaults.Skip(1))
                Error(extra.Line, $"'{extra.Model}' is marked default, but '{defaults[0].Model}' (line {defaults[0].Line}) already is.", "keep 'default: true' on one provider only.");

        var names = new Dictionary<string, ModelEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
            if (provider.Name is { } name && !names.TryAdd(name, provider))
                Error(provider.Line, $"name '{name}' is given to two entries (first at line {names[name].Line}).", "give each entry its own name.");

        // Names in config resolve as a request's model does: a literal, or a bare id exactly one provider serves.
        var models = new ModelResolver(config.Providers);
        string? Unresolved(string name, bool aliasAllowed)
        {
            if (models.TryResolve(name, out _, out _) || (aliasAllowed && config.Aliases.ContainsKey(name))) return null;
            var serving = models.Serving(name);
            return serving.Count > 1
                ? $"'{name}' is served by {serving.Count} providers ({string.Join(", ", serving.Select(p => p.Model))}), so it is ambiguous"
                : $"no provider serves '{name}'";
        }
        string Candidates(string name) => models.Serving(name) is { Count: > 1 } serving
            ? $"write the literal: {string.Join(" or ", serving.Select(p => p.Model))}."
            : $"use one of: {string.Join(", ", config.Providers.Select(p => p.Model))}.";

        foreach (var alias in config.Aliases.Values)
        {
            if (byModel.ContainsKey(alias.Alias))
                Error(alias.Line, $"alias '{alias.Alias}' has the same name as a configured model.", "rename the alias.");
            if (config.Aliases.ContainsKey(alias.Target))
                Error(alias.Line, $"alias '{alias.Alias}' points at another alias '{alias.Target}'; alias chains are not followed.", $"point it at a model literal directly, e.g. '{config.Aliases[alias.Target].Target}'.");
            else if (Unresolved(alias.Target, aliasAllowed: false) is { } problem)
                Error(alias.Line, $"alias '{alias.Alias}' targets '{alias.Target}', but {problem}.", Candidates(alias.Target));
            foreach (var fallback in alias.Fallbacks)
                if (Unresolved(fallback, aliasAllowed: true) is { } fallbackProblem)
                    Error(alias.Line, $"alias '{alias.Alias}' lists fallback '{fallback}', but {fallbackProblem} and it is no alias.", "list configured models or aliases.");
        }

        foreach (var provider in config.Providers)
            foreach (var fallback in provider.Fallbacks)
                if (Unresolved(fallback, aliasAllowed: true) is { } problem)
                    Error(provider.Line, $"'{provider.Model}' lists fallback '{fallback}', but {problem} and it is no alias.", "list configured models or aliases.");

        foreach (var provider in config.Providers)
            foreach (var route in provider.RoutingPreferences)
                foreach (var fallback in route.Fallbacks)
                    if (Unresolved(fallback, aliasAllowed: true) is { } problem)
                        Error(provider.Line, $"route '{route.Name}' lists fallback '{fallback}', but {problem} and it is no alias.", "list configured models or aliases.");

        foreach (var route in config.RoutingPreferences)
            for (var i = 0; i < route.Models.Count; i++)
                // The first model answers the route, so it must be a model; the rest are fallbacks, which may be aliases.
                if (Unresolved(route.Models[i], aliasAllowed: i > 0) is { } problem)
                    Error(route.Line, $"route '{route.Name}' lists model '{route.Models[i]}', but {problem}.", Candidates(route.Models[i]));

        foreach (var (key, model) in config.ClaudeCode.Models())
            if (Unresolved(model.Name, aliasAllowed: true) is { } problem)
                Error(model.Line, $"claude_code.{key} is '{model.Name}', but {problem} and it is no alias.", $"name a model_aliases entry or a configured model; {Candidates(model.Name)}");

        var routeLines = new Dictionary<string, (string Owner, int Line)>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
            foreach (var route in provider.RoutingPreferences)
                if (!routeLines.TryAdd(route.Name, ($"'{provider.Model}'", provider.Line)))
                    Error(provider.Line, $"route '{route.Name}' is defined under both {routeLines[route.Name].Owner} and '{provider.Model}'.", "give each route one model; rename one of them.");
        foreach (var route in config.RoutingPreferences)
            if (!routeLines.TryAdd(route.Name, ("routing_preferences", route.Line)))
                Error(route.Line, $"route '{route.Name}' is defined twice (first at line {routeLines[route.Name].Line}).", "rename one of them.");

        if (config.Providers.Count > 0 && defaults.Count == 0 && routeLines.Count > 0)
            diagnostics.Add(new(DiagnosticSeverity.Warning, config.Providers[0].Line,
                "no provider is marked default: requests that no route fits and that name no configured model will be rejected.",
                "add 'default: true' to the provider that should answer them."));

        TeamConfigValidator.Validate(config, diagnostics);
    }
}
