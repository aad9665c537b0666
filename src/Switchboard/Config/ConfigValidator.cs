namespace Switchboard.Config;

/// <summary>Cross-entry checks that need the whole config: duplicates, defaults, alias targets, routes.</summary>
internal static class ConfigValidator
{
    public static void Validate(GatewayConfig config, List<ConfigDiagnostic> diagnostics)
    {
        void Error(int line, string message, string fix) => diagnostics.Add(new(DiagnosticSeverity.Error, line, message, fix));

        var byModel = new Dictionary<string, ProviderConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
        {
            if (!byModel.TryAdd(provider.Model, provider))
                Error(provider.Line, $"model '{provider.Model}' is configured twice (first at line {byModel[provider.Model].Line}).", "remove one entry, or give them different model ids.");
        }

        var defaults = config.Providers.Where(p => p.IsDefault).ToList();
        if (defaults.Count > 1)
            foreach (var extra in defaults.Skip(1))
                Error(extra.Line, $"'{extra.Model}' is marked default, but '{defaults[0].Model}' (line {defaults[0].Line}) already is.", "keep 'default: true' on one provider only.");

        foreach (var alias in config.Aliases.Values)
        {
            if (byModel.ContainsKey(alias.Alias))
                Error(alias.Line, $"alias '{alias.Alias}' has the same name as a configured model.", "rename the alias.");
            if (config.Aliases.ContainsKey(alias.Target))
                Error(alias.Line, $"alias '{alias.Alias}' points at another alias '{alias.Target}'; alias chains are not followed.", $"point it at a model literal directly, e.g. '{config.Aliases[alias.Target].Target}'.");
            else if (!IsServed(config, alias.Target))
                Error(alias.Line, $"alias '{alias.Alias}' targets '{alias.Target}', which no provider serves.", $"use one of: {string.Join(", ", config.Providers.Select(p => p.Model))}.");
            foreach (var fallback in alias.Fallbacks)
                if (!IsServed(config, fallback) && !config.Aliases.ContainsKey(fallback))
                    Error(alias.Line, $"alias '{alias.Alias}' lists fallback '{fallback}', which is neither a configured model nor an alias.", "list configured model literals or aliases.");
        }

        foreach (var provider in config.Providers)
            foreach (var fallback in provider.Fallbacks)
                if (!IsServed(config, fallback) && !config.Aliases.ContainsKey(fallback))
                    Error(provider.Line, $"'{provider.Model}' lists fallback '{fallback}', which is neither a configured model nor an alias.", "list configured model literals or aliases.");

        foreach (var provider in config.Providers)
            foreach (var route in provider.RoutingPreferences)
                foreach (var fallback in route.Fallbacks)
                    if (!IsServed(config, fallback) && !config.Aliases.ContainsKey(fallback))
                        Error(provider.Line, $"route '{route.Name}' lists fallback '{fallback}', which is neither a configured model nor an alias.", "list configured model literals or aliases.");

        var routeOwners = new Dictionary<string, ProviderConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
            foreach (var route in provider.RoutingPreferences)
                if (!routeOwners.TryAdd(route.Name, provider))
                    Error(provider.Line, $"route '{route.Name}' is defined under both '{routeOwners[route.Name].Model}' and '{provider.Model}'.", "give each route one model; rename one of them.");

        if (config.Providers.Count > 0 && defaults.Count == 0 && config.Providers.Any(p => p.RoutingPreferences.Count > 0))
            diagnostics.Add(new(DiagnosticSeverity.Warning, config.Providers[0].Line,
                "no provider is marked default: requests that no route fits and that name no configured model will be rejected.",
                "add 'default: true' to the provider that should answer them."));
    }

    /// <summary>A literal some provider serves: exactly, or through a provider wildcard ("openai/*").</summary>
    internal static bool IsServed(GatewayConfig config, string literal)
    {
        foreach (var p in config.Providers)
        {
            if (string.Equals(p.Model, literal, StringComparison.OrdinalIgnoreCase)) return true;
            if (p.ModelId == "*" && literal.StartsWith(p.Provider + "/", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
