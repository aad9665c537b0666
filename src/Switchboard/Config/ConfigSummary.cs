namespace Switchboard.Config;

/// <summary>A config in one phrase, for `validate`, the start-up line and reloads: "2 models, 1 alias, 3 routes, router embedded".</summary>
internal static class ConfigSummary
{
    public static string Describe(GatewayConfig config) =>
        $"{Plural.Count(config.Providers.Count, "model")}, {Plural.Count(config.Aliases.Count, "alias")}, " +
        $"{Plural.Count(config.Providers.Sum(p => p.RoutingPreferences.Count), "route")}, router {config.Routing.Router.ToString().ToLowerInvariant()}";
}
