using Switchboard.Config;
using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Runtime;

/// <summary>
/// Builds what a config runs on: its provider endpoints, its router and model selector. The gateway builds one at
/// start and on every reload; the CLI builds one to ask the selector without a running gateway (route, eval-router).
/// </summary>
internal static class SnapshotFactory
{
    /// <summary>Routing decisions are cached across reloads: the key includes the policy's fingerprint.</summary>
    internal static readonly RouteDecisionCache DecisionCache = new();

    public static GatewaySnapshot Create(GatewayConfig config)
    {
        var providers = new ProviderRegistry(config);
        HttpClient? routerClient = null;
        IRouteSelector router;
        if (config.Routing.Router == RouterKind.Llm)
        {
            routerClient = new HttpClient(ProviderRegistry.CreateHandler(TimeSpan.FromMilliseconds(config.Routing.TimeoutMs)), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            router = new LlmRouteSelector(routerClient, config.Routing);
        }
        else
        {
            router = new EmbeddedRouteSelector(config.Routing);
        }
        // A team's corrections (in the ledger, or beside the config) decide before the router does (issue #17).
        if (config.SourcePath is { } configPath) router = new Routing.Feedback.LearningRouteSelector(router, Routing.Feedback.SharedFeedbackStore.ForConfig(configPath));
        var selector = new ModelSelector(config, router, DecisionCache);
        // Compile the policy now, so the first routed request does not pay for it.
        if (((router as Routing.Feedback.LearningRouteSelector)?.Inner ?? router) is EmbeddedRouteSelector embedded && selector.Policy is { } policy)
        {
            embedded.Select(new RouterInput([new RouterTurn(TurnRole.User, "warm up")]), policy);
            // A policy that uses the semantic stage starts loading the encoder now, in the background: the lexical stage
            // answers until it is ready. A policy that does not never loads it.
            embedded.SemanticFor(policy);
        }
        return new GatewaySnapshot(config, providers, selector, routerClient);
    }
}
