using Switchboard.Models;

namespace Switchboard.Config;

/// <summary>
/// The config used when none is given: every known provider is reachable by literal ("openai/gpt-4.1-mini"),
/// whether or not its key is in the environment, so a request names the key it lacks (OPENAI_API_KEY for an
/// openai/… model) instead of landing on another provider; providers with a key also get a sensible default model.
/// </summary>
internal static class BuiltInConfig
{
    /// <summary>Default model per provider when it has to answer requests that name no model of its own.</summary>
    private static readonly (string Provider, string DefaultModel)[] Candidates =
    [
        ("anthropic", "*"), // Claude Code's own model names pass straight through
        ("openai", "gpt-4.1"),
        ("deepseek", "deepseek-chat"),
        ("xai", "grok-4"),
        ("gemini", "gemini-2.5-flash"),
        ("mistral", "mistral-large-latest"),
        ("groq", "llama-3.3-70b-versatile"),
        ("openrouter", "anthropic/claude-sonnet-4.5"),
        ("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        ("moonshotai", "kimi-k2-0905-preview"),
    ];

    public sealed record Discovery(GatewayConfig Config, IReadOnlyList<string> Found, IReadOnlyList<string> Missing);

    public static Discovery FromEnvironment(Func<string, string?>? environment = null)
    {
        var env = new EnvironmentSource(environment);
        var found = new List<string>();
        var missing = new List<string>();
        var providers = new List<ModelEntry>();
        foreach (var (name, defaultModel) in Candidates)
        {
            var kind = ProviderCatalog.Find(name)!;
            var variable = kind.KeyVariable!;
            var key = env.Get(variable);
            (key is null ? missing : found).Add(variable);
            var secret = new SecretValue(key, variable);
            // Without its key the provider still owns its literals: a request for one is told which variable to set.
            providers.Add(Provider(kind, "*", secret));
            if (key is not null && defaultModel != "*") providers.Add(Provider(kind, defaultModel, secret));
        }
        // The default answers requests that name no provider's model (Claude Code's own names, without an Anthropic
        // key): Anthropic when its key is set, else the first keyed provider's default model, else Anthropic, which
        // then says which key to set.
        var defaultIndex = providers.FindIndex(p => p.Provider == "anthropic" && p.AccessKey!.IsResolved);
        if (defaultIndex < 0) defaultIndex = providers.FindIndex(p => p.ModelId != "*");
        if (defaultIndex < 0) defaultIndex = providers.FindIndex(p => p.Provider == "anthropic");
        providers[defaultIndex] = providers[defaultIndex] with { IsDefault = true };

        var config = new GatewayConfig
        {
            Listeners = [new ListenerConfig("llm", "127.0.0.1", 12000)],
            Providers = providers,
            Aliases = new Dictionary<string, AliasConfig>(),
            Routing = new RoutingConfig(),
            Limits = new LimitsConfig(),
        };
        return new Discovery(config, found, missing);
    }

    private static ModelEntry Provider(ProviderKind kind, string modelId, SecretValue key) => new()
    {
        Model = $"{kind.Name}/{modelId}",
        Provider = kind.Name,
        ModelId = modelId,
        Interface = kind.Api,
        AccessKey = key,
    };
}
