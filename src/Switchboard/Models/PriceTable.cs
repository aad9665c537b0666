using System.Collections.Frozen;

namespace Switchboard.Models;

/// <summary>
/// List prices of the built-in providers' models, USD per million tokens (input, output, cache read, cache write), taken
/// from each provider's public pricing page on 2026-11-30: platform.openai.com/docs/pricing, claude.com/pricing (cache
/// write = the 5-minute write), ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens), api-docs.deepseek.com
/// (quick-start/pricing), docs.x.ai/docs/models, mistral.ai/pricing, groq.com/pricing, together.ai/pricing,
/// platform.moonshot.ai (pricing), alibabacloud.com/help/en/model-studio (international, first tier), z.ai/pricing.
/// A model that is not here (local models, Azure deployments, anything newer) is unpriced until its config entry says
/// <c>pricing:</c>; the gateway reports it as unpriced, never as free. OpenRouter and other resellers are looked up by
/// the vendor's own id ("anthropic/claude-sonnet-4.5" → Anthropic's price).
/// </summary>
internal static class PriceTable
{
    private static ModelPrice P(decimal input, decimal output, decimal? cacheRead = null, decimal? cacheWrite = null) =>
        new(input, output, cacheRead ?? input, cacheWrite ?? input);

    private static readonly (string Provider, string Model, ModelPrice Price)[] Known =
    [
        ("openai", "gpt-5", P(1.25m, 10m, 0.125m)), ("openai", "gpt-5-mini", P(0.25m, 2m, 0.025m)), ("openai", "gpt-5-nano", P(0.05m, 0.40m, 0.005m)),
        ("openai", "gpt-4.1", P(2m, 8m, 0.50m)), ("openai", "gpt-4.1-mini", P(0.40m, 1.60m, 0.10m)), ("openai", "gpt-4.1-nano", P(0.10m, 0.40m, 0.025m)),
        ("openai", "gpt-4o", P(2.50m, 10m, 1.25m)), ("openai", "gpt-4o-mini", P(0.15m, 0.60m, 0.075m)),
        ("openai", "o1", P(15m, 60m, 7.50m)), ("openai", "o3", P(2m, 8m, 0.50m)), ("openai", "o3-mini", P(1.10m, 4.40m, 0.55m)), ("openai", "o4-mini", P(1.10m, 4.40m, 0.275m)),

        ("anthropic", "claude-opus-4-5", P(5m, 25m, 0.50m, 6.25m)), ("anthropic", "claude-opus-4-1", P(15m, 75m, 1.50m, 18.75m)), ("anthropic", "claude-opus-4-0", P(15m, 75m, 1.50m, 18.75m)),
        ("anthropic", "claude-opus-4", P(15m, 75m, 1.50m, 18.75m)),
        ("anthropic", "claude-sonnet-4-5", P(3m, 15m, 0.30m, 3.75m)), ("anthropic", "claude-sonnet-4-0", P(3m, 15m, 0.30m, 3.75m)), ("anthropic", "claude-sonnet-4", P(3m, 15m, 0.30m, 3.75m)),
        ("anthropic", "claude-3-7-sonnet", P(3m, 15m, 0.30m, 3.75m)), ("anthropic", "claude-haiku-4-5", P(1m, 5m, 0.10m, 1.25m)),
        ("anthropic", "claude-3-5-haiku", P(0.80m, 4m, 0.08m, 1m)), ("anthropic", "claude-3-haiku", P(0.25m, 1.25m, 0.03m, 0.30m)),

        ("gemini", "gemini-3-pro-preview", P(2m, 12m, 0.20m)), ("gemini", "gemini-2.5-pro", P(1.25m, 10m, 0.125m)),
        ("gemini", "gemini-2.5-flash", P(0.30m, 2.50m, 0.03m)), ("gemini", "gemini-2.5-flash-lite", P(0.10m, 0.40m, 0.01m)),
        ("gemini", "gemini-2.0-flash", P(0.10m, 0.40m, 0.025m)), ("gemini", "gemini-2.0-flash-lite", P(0.075m, 0.30m)),

        ("deepseek", "deepseek-chat", P(0.28m, 0.42m, 0.028m)), ("deepseek", "deepseek-reasoner", P(0.28m, 0.42m, 0.028m)),

        ("xai", "grok-4", P(3m, 15m, 0.75m)), ("xai", "grok-4-fast", P(0.20m, 0.50m, 0.05m)), ("xai", "grok-code-fast-1", P(0.20m, 1.50m, 0.02m)),
        ("xai", "grok-3", P(3m, 15m, 0.75m)), ("xai", "grok-3-mini", P(0.30m, 0.50m, 0.075m)),

        ("mistral", "mistral-large-latest", P(2m, 6m)), ("mistral", "mistral-medium-latest", P(0.40m, 2m)), ("mistral", "mistral-small-latest", P(0.10m, 0.30m)),
        ("mistral", "codestral-latest", P(0.30m, 0.90m)), ("mistral", "devstral-medium-latest", P(0.40m, 2m)), ("mistral", "devstral-small-latest", P(0.10m, 0.30m)),

        ("groq", "llama-3.3-70b-versatile", P(0.59m, 0.79m)), ("groq", "llama-3.1-8b-instant", P(0.05m, 0.08m)),
        ("groq", "openai/gpt-oss-120b", P(0.15m, 0.75m)), ("groq", "openai/gpt-oss-20b", P(0.10m, 0.50m)), ("groq", "moonshotai/kimi-k2-instruct", P(1m, 3m)),

        ("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo", P(0.88m, 0.88m)), ("together_ai", "deepseek-ai/DeepSeek-V3", P(1.25m, 1.25m)),
        ("together_ai", "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", P(2m, 2m)),

        ("moonshotai", "kimi-k2-0905-preview", P(0.60m, 2.50m, 0.15m)), ("moonshotai", "kimi-k2-turbo-preview", P(1.15m, 8m, 0.15m)),

        ("dashscope", "qwen3-coder-plus", P(1m, 5m)), ("dashscope", "qwen-max", P(1.60m, 6.40m)), ("dashscope", "qwen-plus", P(0.40m, 1.20m)),
        ("dashscope", "qwen-turbo", P(0.05m, 0.20m)),

        ("zhipu", "glm-4.6", P(0.60m, 2.20m, 0.11m)), ("zhipu", "glm-4.5", P(0.60m, 2.20m, 0.11m)), ("zhipu", "glm-4.5-air", P(0.20m, 1.10m, 0.03m)),
    ];

    /// <summary>Resellers that pass the vendor's price through, and how their vendor prefixes name our providers.</summary>
    private static readonly FrozenDictionary<string, string> Vendors = new Dictionary<string, string>
    {
        ["openai"] = "openai", ["anthropic"] = "anthropic", ["google"] = "gemini", ["x-ai"] = "xai", ["deepseek"] = "deepseek",
        ["mistralai"] = "mistral", ["moonshotai"] = "moonshotai", ["z-ai"] = "zhipu",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, ModelPrice> ByKey =
        Known.ToFrozenDictionary(k => Key(k.Provider, k.Model), k => k.Price, StringComparer.Ordinal);

    /// <summary>Every priced model, as "provider/model" (for docs and tests).</summary>
    public static IEnumerable<(string Provider, string Model, ModelPrice Price)> All => Known;

    /// <summary>
    /// The list price of <paramref name="modelId"/> at <paramref name="provider"/>, or null when unknown. A dated snapshot
    /// ("gpt-4.1-2025-04-14", "claude-sonnet-4-5-20250929") has its model's price; nothing else is guessed.
    /// </summary>
    public static ModelPrice? Find(string provider, string modelId)
    {
        if (provider.Equals("google", StringComparison.OrdinalIgnoreCase)) provider = "gemini";
        if (Lookup(provider, modelId) is { } price) return price;
        // A reseller's "vendor/model" id: the vendor's own price.
        var slash = modelId.IndexOf('/');
        return slash > 0 && Vendors.TryGetValue(modelId[..slash], out var vendor) ? Lookup(vendor, modelId[(slash + 1)..]) : null;
    }

    private static ModelPrice? Lookup(string provider, string modelId)
    {
        var key = Key(provider, modelId);
        if (ByKey.TryGetValue(key, out var price)) return price;
        // A snapshot: the model's id followed by a date or version stamp (digits and dashes only).
        var modelStart = key.IndexOf('/') + 1;
        var stamp = key.Length;
        while (stamp > modelStart && (char.IsAsciiDigit(key[stamp - 1]) || key[stamp - 1] == '-')) stamp--;
        // Longest first: claude-opus-4-5-20251101 is claude-opus-4-5, not claude-opus-4.
        for (var cut = key.LastIndexOf('-'); cut > modelStart && cut >= stamp; cut = key.LastIndexOf('-', cut - 1))
            if (ByKey.TryGetValue(key[..cut], out price)) return price;
        return null;
    }

    /// <summary>"provider/model", lower case, dots as dashes (OpenRouter writes claude-sonnet-4.5 for claude-sonnet-4-5).</summary>
    private static string Key(string provider, string modelId) =>
        string.Concat(provider.ToLowerInvariant(), "/", modelId.ToLowerInvariant().Replace('.', '-'));
}
