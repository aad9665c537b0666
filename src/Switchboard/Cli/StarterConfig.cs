using Switchboard.Models;
using System.Text;
using Switchboard.Providers;

namespace Switchboard.Cli;

/// <summary>
/// The commented config.yaml `switchboard init` writes: the providers whose keys are in the environment
/// (else Anthropic and OpenAI, by $VAR reference), five coding routes spread over their models, and the alias
/// Claude Code's small/fast calls use. Keys are always written as $VAR references, never as values.
/// </summary>
internal static class StarterConfig
{
    /// <summary>A provider's model for demanding work and its cheap, fast one.</summary>
    private sealed record ProviderModels(string Provider, string Strong, string Fast);

    /// <summary>In order of preference for Claude Code: the first found is the primary (and default) provider.</summary>
    private static readonly ProviderModels[] Known =
    [
        new("anthropic", "claude-sonnet-4-5", "claude-haiku-4-5"),
        new("openai", "gpt-4.1", "gpt-4.1-mini"),
        new("gemini", "gemini-2.5-pro", "gemini-2.5-flash"),
        new("deepseek", "deepseek-chat", "deepseek-chat"),
        new("xai", "grok-4", "grok-3-mini"),
        new("mistral", "mistral-large-latest", "mistral-small-latest"),
        new("groq", "llama-3.3-70b-versatile", "llama-3.1-8b-instant"),
        new("openrouter", "anthropic/claude-sonnet-4.5", "anthropic/claude-haiku-4.5"),
        new("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        new("moonshotai", "kimi-k2-0905-preview", "kimi-k2-0905-preview"),
    ];

    /// <summary>The coding routes of the routing policy (shared/routing-dev/policy.yaml), with their descriptions.</summary>
    internal static readonly (string Name, string Description)[] Routes =
    [
        ("code generation", "generating new code snippets, functions, classes, scripts or boilerplate from a description or requirements"),
        ("code understanding", "explaining, reviewing or analyzing existing code for readability, correctness and improvements"),
        ("architecture", "designing systems, choosing technologies, planning the structure of services, modules and data flow"),
        ("debugging", "finding and fixing bugs, errors, crashes, failing tests and performance problems"),
        ("documentation", "writing or improving documentation, README files, docstrings, comments and changelogs"),
    ];

    public sealed record Result(string Yaml, IReadOnlyList<string> KeysFound, IReadOnlyList<string> Models, string SmallFastTarget);

    public static Result Create(Func<string, string?> environment)
    {
        var found = Known.Where(k => !string.IsNullOrEmpty(environment(KeyVariable(k.Provider)))).ToList();
        var providers = found.Count > 0 ? found : [Known[0], Known[1]];
        var primary = providers[0];
        var secondary = providers.Count > 1 ? providers[1] : primary;

        // Writing and fixing code goes to the primary model; reading and design to the second opinion;
        // documentation to a cheap model, which writes prose well enough.
        var routeModels = new Dictionary<string, string>
        {
            ["code generation"] = Literal(primary, primary.Strong),
            ["debugging"] = Literal(primary, primary.Strong),
            ["code understanding"] = Literal(secondary, secondary.Strong),
            ["architecture"] = Literal(secondary, secondary.Strong),
            ["documentation"] = Literal(secondary, secondary.Fast),
        };
        var smallFast = providers.FirstOrDefault(p => p.Provider == "anthropic") ?? primary;
        var smallFastTarget = Literal(smallFast, smallFast.Fast);
        var defaultModel = Literal(primary, primary.Strong);

        // Every model once, in a stable order: each provider's strong model, then its fast one.
        var models = providers.SelectMany(p => new[] { (p, Literal(p, p.Strong)), (p, Literal(p, p.Fast)) })
            .DistinctBy(m => m.Item2).ToList();

        var yaml = new StringBuilder();
        yaml.AppendLine("# Switchboard config, written by `switchboard init --preset claude-code`.");
        yaml.AppendLine("# Check it with `switchboard validate`; start the gateway with `switchboard up` (or `switchboard claude`).");
        yaml.AppendLine("# Reference: docs/configuration.md. Keys are read from the environment ($VAR) or a .env file beside this file.");
        yaml.AppendLine(found.Count > 0
            ? $"# Providers from the keys found in the environment: {string.Join(", ", found.Select(p => KeyVariable(p.Provider)))}."
            : "# No provider key was set when this was written: export ANTHROPIC_API_KEY and OPENAI_API_KEY (or edit the providers).");
        yaml.AppendLine("version: v1");
        yaml.AppendLine();
        yaml.AppendLine("listeners:");
        yaml.AppendLine("  - name: llm");
        yaml.AppendLine("    address: 127.0.0.1");
        yaml.AppendLine("    port: 12000");
        yaml.AppendLine();
        yaml.AppendLine("# Each model is \"provider/model-id\". A request that names a configured model (or alias) gets it;");
        yaml.AppendLine("# one that does not (Claude Code asks for claude-… models) is routed: the router reads the conversation and");
        yaml.AppendLine("# picks the route whose description fits best, and that route's model answers. No route fits → the default.");
        yaml.AppendLine("model_providers:");
        foreach (var (provider, literal) in models)
        {
            yaml.AppendLine($"  - model: {literal}");
            yaml.AppendLine($"    access_key: ${KeyVariable(provider.Provider)}");
            if (literal == defaultModel) yaml.AppendLine("    default: true");
            var routes = Routes.Where(r => routeModels[r.Name] == literal).ToList();
            if (routes.Count == 0) continue;
            yaml.AppendLine("    routing_preferences:");
            foreach (var (name, description) in routes)
            {
                yaml.AppendLine($"      - name: {name}");
                yaml.AppendLine($"        description: {description}");
            }
        }
        yaml.AppendLine();
        yaml.AppendLine("# Stable names that map to a model. Claude Code's small, fast calls (titles, summaries) use this one");
        yaml.AppendLine("# when started with `switchboard claude`.");
        yaml.AppendLine("model_aliases:");
        yaml.AppendLine($"  {ClaudeCommand.SmallFastAlias}:");
        yaml.AppendLine($"    target: {smallFastTarget}");
        yaml.AppendLine();
        yaml.AppendLine("routing:");
        yaml.AppendLine("  router: embedded   # in-process and offline; `llm` asks an Arch-Router model over an OpenAI-compatible endpoint");

        return new Result(yaml.ToString(), found.Select(p => KeyVariable(p.Provider)).ToList(), models.Select(m => m.Item2).ToList(), smallFastTarget);
    }

    private static string Literal(ProviderModels provider, string modelId) => $"{provider.Provider}/{modelId}";

    private static string KeyVariable(string provider) => ProviderCatalog.Find(provider)!.KeyVariable!;
}
