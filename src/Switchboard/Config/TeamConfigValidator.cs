namespace Switchboard.Config;

/// <summary>Checks of named gateway keys that need the whole config: unique names, models that exist, priced models for budgets.</summary>
internal static class TeamConfigValidator
{
    public static void Validate(GatewayConfig config, List<ConfigDiagnostic> diagnostics)
    {
        var names = new Dictionary<string, GatewayKey>(StringComparer.OrdinalIgnoreCase);
        var models = new ModelResolver(config.Providers);
        var routes = new HashSet<string>(config.RoutingPreferences.Select(r => r.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
            foreach (var route in provider.RoutingPreferences) routes.Add(route.Name);

        foreach (var key in config.GatewayKeys)
        {
            if (!names.TryAdd(key.Name, key))
                diagnostics.Add(new(DiagnosticSeverity.Error, key.Line, $"gateway key name '{key.Name}' is used twice (first at line {names[key.Name].Line}).",
                    "give each key its own 'name': it is who the caller is in logs, metrics and budgets."));
            foreach (var model in key.Models)
                if (!models.TryResolve(model, out _, out _) && !config.Aliases.ContainsKey(model) && !routes.Contains(model))
                    diagnostics.Add(new(DiagnosticSeverity.Error, key.Line, $"gateway key '{key.Name}' allows model '{model}', which is no configured model, alias or route.",
                        $"use one of: {string.Join(", ", config.Providers.Select(p => p.Model).Concat(config.Aliases.Keys).Concat(routes))}."));
            if (key.Budget is not null)
            {
                var unpriced = config.Providers.Where(p => p.Pricing is null && (p.ModelId == "*" || Models.PriceTable.Find(p.Provider, p.ModelId) is null)).Select(p => p.Model).ToList();
                if (unpriced.Count > 0)
                    diagnostics.Add(new(DiagnosticSeverity.Warning, key.Budget.Line,
                        $"gateway key '{key.Name}' has a budget, but {string.Join(", ", unpriced)} {(unpriced.Count == 1 ? "has" : "have")} no price: its requests to {(unpriced.Count == 1 ? "it" : "them")} are refused.",
                        "add 'pricing: {input: 3, output: 15}' (US dollars per million tokens) to those model entries."));
            }
        }
    }
}
