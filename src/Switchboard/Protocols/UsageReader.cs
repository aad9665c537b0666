using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>
/// Finds token usage in a response body or an SSE data payload of either API, without a DOM:
/// Anthropic usage {input_tokens, output_tokens, cache_read_input_tokens} and
/// OpenAI usage {prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens}.
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
        long? openAIPrompt = null, cached = null;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) continue;
                var innerDepth = reader.CurrentDepth;
                while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == innerDepth))
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("cached_tokens"u8) && ReadNumber(ref reader) is { } c) cached = c;
                continue;
            }
            if (reader.CurrentDepth != depth + 1) continue;
            if (reader.ValueTextEquals("input_tokens"u8)) { if (ReadNumber(ref reader) is { } v && v > 0) usage = usage with { InputTokens = v }; }
            else if (reader.ValueTextEquals("output_tokens"u8) || reader.ValueTextEquals("completion_tokens"u8)) { if (ReadNumber(ref reader) is { } v) usage = usage with { OutputTokens = v }; }
            else if (reader.ValueTextEquals("prompt_tokens"u8)) openAIPrompt = ReadNumber(ref reader);
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8)) { if (ReadNumber(ref reader) is { } v) cached = v; }
        }
        if (openAIPrompt is { } prompt) usage = usage with { InputTokens = prompt };
        if (cached is { } cachedTokens) usage = usage with { CachedInputTokens = cachedTokens };
    }

    private static long? ReadNumber(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : null;
    }
}
