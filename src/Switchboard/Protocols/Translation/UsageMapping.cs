using System.Text.Json;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// Usage across protocols. OpenAI's prompt_tokens includes cached tokens (prompt_tokens_details.cached_tokens);
/// Anthropic's input_tokens excludes them (cache_read_input_tokens, cache_creation_input_tokens). Reasoning is part of
/// the output in both (OpenAI says how much in completion_tokens_details.reasoning_tokens).
/// <see cref="TokenUsage.InputTokens"/> is always the total input, cached included.
/// </summary>
internal static class UsageMapping
{
    public static TokenUsage FromOpenAI(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object) return default;
        long? prompt = Long(usage, "prompt_tokens"u8);
        long? completion = Long(usage, "completion_tokens"u8);
        long? cached = usage.TryGetProperty("prompt_tokens_details"u8, out JsonElement details) && details.ValueKind == JsonValueKind.Object
            ? Long(details, "cached_tokens"u8)
            : null;
        // DeepSeek reports its cache hits at the top level.
        cached ??= Long(usage, "prompt_cache_hit_tokens"u8);
        long? reasoning = usage.TryGetProperty("completion_tokens_details"u8, out JsonElement output) && output.ValueKind == JsonValueKind.Object
            ? Long(output, "reasoning_tokens"u8)
            : null;
        return new TokenUsage(prompt, completion, cached, null, reasoning);
    }

    public static TokenUsage FromAnthropic(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object) return default;
        long? input = Long(usage, "input_tokens"u8);
        long? cacheRead = Long(usage, "cache_read_input_tokens"u8);
        long? cacheWrite = Long(usage, "cache_creation_input_tokens"u8);
        long? total = input is null && cacheRead is null && cacheWrite is null ? null : (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
        return new TokenUsage(total, Long(usage, "output_tokens"u8), cacheRead, cacheWrite);
    }

    /// <summary>Anthropic usage object: input_tokens excludes the cache reads.</summary>
    public static void WriteAnthropic(Utf8JsonWriter json, TokenUsage usage, bool includeInput = true)
    {
        json.WriteStartObject("usage"u8);
        if (includeInput)
        {
            long cached = usage.CachedInputTokens ?? 0, written = usage.CacheWriteTokens ?? 0;
            json.WriteNumber("input_tokens"u8, Math.Max(0, (usage.InputTokens ?? 0) - cached - written));
            json.WriteNumber("cache_creation_input_tokens"u8, written);
            json.WriteNumber("cache_read_input_tokens"u8, cached);
        }
        json.WriteNumber("output_tokens"u8, usage.OutputTokens ?? 0);
        json.WriteEndObject();
    }

    /// <summary>OpenAI usage object: prompt_tokens includes the cache reads.</summary>
    public static void WriteOpenAI(Utf8JsonWriter json, TokenUsage usage, long? reasoningTokens = null)
    {
        long prompt = usage.InputTokens ?? 0, completion = usage.OutputTokens ?? 0;
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, prompt);
        json.WriteNumber("completion_tokens"u8, completion);
        json.WriteNumber("total_tokens"u8, prompt + completion);
        json.WriteStartObject("prompt_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedInputTokens ?? 0);
        json.WriteEndObject();
        if (reasoningTokens is long reasoning)
        {
            json.WriteStartObject("completion_tokens_details"u8);
            json.WriteNumber("reasoning_tokens"u8, reasoning);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }
}
