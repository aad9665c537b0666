namespace Switchboard.Models;

/// <summary>
/// Known output-token ceilings of popular models, so a request asking for more (Claude Code asks for up to
/// 128000) is capped instead of rejected. Longest matching prefix of the model id wins; config's
/// max_output_tokens overrides; unknown models are not capped.
/// </summary>
internal static class ModelLimits
{
    private static readonly (string Prefix, int MaxOutput)[] Known =
    [
        ("claude-opus-4-0", 32_000), ("claude-opus-4-1", 32_000), ("claude-opus-4-2", 32_000), ("claude-opus-4-5", 64_000), ("claude-opus-4", 32_000),
        ("claude-sonnet-4", 64_000), ("claude-haiku-4", 64_000), ("claude-3-7-sonnet", 64_000), ("claude-3-5-haiku", 8_192), ("claude-3-5-sonnet", 8_192),
        ("claude-3-haiku", 4_096), ("claude-3-opus", 4_096),
        ("gpt-4.1", 32_768), ("gpt-4o", 16_384), ("gpt-4-turbo", 4_096), ("gpt-4", 8_192), ("gpt-3.5", 4_096),
        ("gpt-5", 128_000), ("o1-mini", 65_536), ("o1", 100_000), ("o3", 100_000), ("o4-mini", 100_000),
        ("gpt-oss", 32_768),
        ("deepseek-chat", 8_192), ("deepseek-reasoner", 65_536), ("deepseek-coder", 8_192),
        ("grok-4", 256_000), ("grok-3", 131_072), ("grok-code", 256_000),
        ("mistral-large", 32_768), ("mistral-medium", 32_768), ("mistral-small", 32_768), ("codestral", 32_768), ("devstral", 32_768),
        ("llama-3.3-70b", 32_768), ("llama-3.1-8b", 8_192),
        ("gemini-2.5", 65_536), ("gemini-2.0", 8_192), ("gemini-3", 65_536),
        ("kimi-k2", 32_768), ("qwen3-coder", 65_536),
    ];

    /// <summary>The cap for a model id (the part after "provider/"), or null when unknown.</summary>
    public static int? MaxOutputTokens(string modelId)
    {
        // Ids may carry a vendor prefix (openrouter's "anthropic/claude-sonnet-4.5") or dots for dashes. Compared in
        // place (every request to a model without max_output_tokens asks): no lowered or replaced copy of the id.
        var id = modelId.AsSpan(modelId.LastIndexOf('/') + 1);
        int? best = null;
        var bestLength = 0;
        foreach (var (prefix, max) in Known)
        {
            if (prefix.Length > bestLength && StartsWithLoosely(id, prefix))
            {
                best = max;
                bestLength = prefix.Length;
            }
        }
        return best;
    }

    /// <summary>Whether <paramref name="id"/> starts with <paramref name="prefix"/>, case aside and a dot the same as a dash.</summary>
    private static bool StartsWithLoosely(ReadOnlySpan<char> id, string prefix)
    {
        if (id.Length < prefix.Length) return false;
        for (var i = 0; i < prefix.Length; i++)
        {
            if (Loose(char.ToLowerInvariant(id[i])) != Loose(prefix[i])) return false;
        }
        return true;
    }

    private static char Loose(char c) => c == '.' ? '-' : c;
}
