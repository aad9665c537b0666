using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>
/// Finds token usage in a response body or an SSE data payload of either API, without a DOM: Anthropic usage
/// {input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens} (input excludes the cache: the
/// total is their sum) and OpenAI usage {prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens,
/// completion_tokens_details.reasoning_tokens}, into one <see cref="TokenUsage"/> with every token kind.
/// </summary>
internal static class UsageReader
{
    /// <summary>Merges what <paramref name="json"/> reports into <paramref name="usage"/>; later reports win.</summary>
    public static void Accumulate(ReadOnlySpan<byte> json, ref TokenUsage usage)
    {
        if (json.IndexOf("\"usage\""u8) < 0) return;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject) ReadUsageObject(ref reader, ref usage);
                }
            }
        }
        catch (JsonException)
        {
            // A payload we cannot read is not worth failing a response over: usage is for logs.
        }
    }

    private static void ReadUsageObject(ref Utf8JsonReader reader, ref TokenUsage usage)
    {
        var depth = reader.CurrentDepth;
        long? anthropicInput = null, openAIPrompt = null, output = null, cacheRead = null, cacheWrite = null, reasoning = null;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.CurrentDepth == depth + 2)
            {
                // Inside a details object: OpenAI's prompt_tokens_details.cached_tokens, completion_tokens_details.reasoning_tokens.
                if (reader.ValueTextEquals("cached_tokens"u8)) cacheRead = ReadNumber(ref reader) ?? cacheRead;
                else if (reader.ValueTextEquals("reasoning_tokens"u8)) reasoning = ReadNumber(ref reader) ?? reasoning;
                continue;
            }
            if (reader.CurrentDepth != depth + 1) continue;
            if (reader.ValueTextEquals("input_tokens"u8)) { if (ReadNumber(ref reader) is { } v && v > 0) anthropicInput = v; }
            else if (reader.ValueTextEquals("output_tokens"u8) || reader.ValueTextEquals("completion_tokens"u8)) output = ReadNumber(ref reader) ?? output;
            else if (reader.ValueTextEquals("prompt_tokens"u8)) openAIPrompt = ReadNumber(ref reader);
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8)) cacheRead = ReadNumber(ref reader) ?? cacheRead;
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8)) cacheWrite = ReadNumber(ref reader) ?? cacheWrite;
            else if (reader.ValueTextEquals("prompt_cache_hit_tokens"u8)) cacheRead ??= ReadNumber(ref reader); // DeepSeek
        }
        if (output is { } o) usage = usage with { OutputTokens = o };
        if (reasoning is { } r) usage = usage with { ReasoningTokens = r };
        if (openAIPrompt is { } prompt)
        {
            // OpenAI: prompt_tokens is the whole input, its cached part inside.
            usage = usage with { InputTokens = prompt, CachedInputTokens = cacheRead ?? usage.CachedInputTokens };
        }
        else if (anthropicInput is not null || cacheRead is not null || cacheWrite is not null)
        {
            // Anthropic: input_tokens excludes the cache; message_start says all three, message_delta may repeat some.
            var read = cacheRead ?? usage.CachedInputTokens ?? 0;
            var written = cacheWrite ?? usage.CacheWriteTokens ?? 0;
            var uncached = anthropicInput ?? Math.Max(0, (usage.InputTokens ?? 0) - (usage.CachedInputTokens ?? 0) - (usage.CacheWriteTokens ?? 0));
            usage = usage with { InputTokens = uncached + read + written, CachedInputTokens = read, CacheWriteTokens = written };
        }
    }

    private static long? ReadNumber(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : null;
    }
}
