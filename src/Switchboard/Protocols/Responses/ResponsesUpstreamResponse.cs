using System.Text;
using System.Text.Json;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// A non-streamed OpenAI Responses response → an OpenAI chat.completion (and, for Anthropic clients, on through
/// <see cref="OpenAIToAnthropicResponse"/>: the Chat form is the pivot).
/// <list type="bullet">
/// <item>message items' output_text → content (refusal parts → refusal); function_call items → tool_calls (id = call_id).</item>
/// <item>reasoning items: summaries → reasoning_content; encrypted_content → a <c>reasoning_details</c> entry
///   (<see cref="ResponsesUpstreamWire"/>), which the Anthropic translation turns into the thinking block's signature.</item>
/// <item>status incomplete → finish_reason length (content_filter when that was the reason); function calls → tool_calls.</item>
/// <item>usage: input (with cached) and output (with reasoning) tokens.</item>
/// <item>status failed: the response's error, as a <see cref="TranslationException"/> (the client gets a 502 with its message).</item>
/// </list>
/// </summary>
internal static class ResponsesUpstreamResponse
{
    public static byte[] ToChat(JsonElement response, string? clientModel, out TokenUsage usage)
    {
        if (Str(response, "status"u8) == "failed")
        {
            JsonElement error = response.TryGetProperty("error"u8, out JsonElement e) ? e : default;
            throw new TranslationException($"the response failed: {Str(error, "code"u8) ?? "error"}: {Str(error, "message"u8) ?? "no message"}");
        }
        long reasoningTokens = 0;
        usage = response.TryGetProperty("usage"u8, out JsonElement u) ? ReadUsage(u, out reasoningTokens) : default;

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        string? refusal = null;
        bool sawToolCalls = false;
        JsonElement output = response.TryGetProperty("output"u8, out JsonElement o) && o.ValueKind == JsonValueKind.Array ? o : default;

        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, "chatcmpl-" + (Str(response, "id"u8) ?? ToolCallIds.RandomSuffix()));
            json.WriteString("object"u8, "chat.completion"u8);
            json.WriteNumber("created"u8, Long(response, "created_at"u8) ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            json.WriteString("model"u8, clientModel ?? Str(response, "model"u8) ?? "");
            json.WriteStartArray("choices"u8);
            json.WriteStartObject();
            json.WriteNumber("index"u8, 0);
            json.WriteStartObject("message"u8);
            json.WriteString("role"u8, "assistant"u8);

            if (output.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in output.EnumerateArray())
                {
                    switch (Str(item, "type"u8))
                    {
                        case "message" when item.TryGetProperty("content"u8, out JsonElement content) && content.ValueKind == JsonValueKind.Array:
                            foreach (JsonElement part in content.EnumerateArray())
                            {
                                if (Str(part, "type"u8) == "refusal") refusal = Str(part, "refusal"u8);
                                else if (Str(part, "text"u8) is { } t) text.Append(t);
                            }
                            break;
                        case "reasoning":
                            AppendReasoningText(item, reasoning);
                            break;
                        case "function_call":
                            sawToolCalls = true;
                            break;
                    }
                }
            }
            if (text.Length > 0) json.WriteString("content"u8, text.ToString());
            else json.WriteNull("content"u8);
            if (refusal is not null) json.WriteString("refusal"u8, refusal);
            if (reasoning.Length > 0) json.WriteString("reasoning_content"u8, reasoning.ToString());
            WriteReasoningDetails(json, output);
            if (sawToolCalls) WriteToolCalls(json, output);
            json.WriteEndObject(); // message

            JsonElement incomplete = response.TryGetProperty("incomplete_details"u8, out JsonElement d) ? d : default;
            json.WriteString("finish_reason"u8, ResponsesUpstreamWire.FinishReason(Str(response, "status"u8), Str(incomplete, "reason"u8), sawToolCalls));
            json.WriteEndObject();
            json.WriteEndArray();
            UsageMapping.WriteOpenAI(json, usage, reasoningTokens);
            json.WriteEndObject();
        }
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    /// <summary>Anthropic clients: through the Chat form, so thinking, tool_use and stop reasons follow the one set of rules.</summary>
    public static byte[] ToAnthropic(JsonElement response, string? clientModel, out TokenUsage usage, ToolNameMap? toolNames)
    {
        byte[] chat = ToChat(response, clientModel, out usage);
        using JsonDocument document = JsonDocument.Parse(chat);
        return OpenAIToAnthropicResponse.Translate(document.RootElement, clientModel, out _, toolNames);
    }

    /// <summary>A reasoning item's summary texts (or, from servers that send it, its reasoning text), blank-line separated.</summary>
    private static void AppendReasoningText(JsonElement item, StringBuilder reasoning)
    {
        foreach (string field in (ReadOnlySpan<string>)["summary", "content"])
        {
            if (!item.TryGetProperty(field, out JsonElement parts) || parts.ValueKind != JsonValueKind.Array) continue;
            foreach (JsonElement part in parts.EnumerateArray())
            {
                if (Str(part, "text"u8) is not { Length: > 0 } t) continue;
                if (reasoning.Length > 0) reasoning.Append("\n\n");
                reasoning.Append(t);
            }
            if (reasoning.Length > 0) return; // a summary, when there is one, says it; the raw text would repeat it
        }
    }

    private static void WriteReasoningDetails(Utf8JsonWriter json, JsonElement output)
    {
        if (output.ValueKind != JsonValueKind.Array) return;
        int index = 0;
        foreach (JsonElement item in output.EnumerateArray())
        {
            if (Str(item, "type"u8) != "reasoning" || Str(item, "encrypted_content"u8) is not { Length: > 0 } encrypted) continue;
            if (index == 0) json.WriteStartArray("reasoning_details"u8);
            WriteReasoningDetail(json, Str(item, "id"u8), encrypted, index++);
        }
        if (index > 0) json.WriteEndArray();
    }

    /// <summary>One <c>reasoning_details</c> entry carrying a reasoning item's encrypted content.</summary>
    internal static void WriteReasoningDetail(Utf8JsonWriter json, string? id, string encrypted, int index)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, ResponsesUpstreamWire.EncryptedType);
        if (id is not null) json.WriteString("id"u8, id);
        json.WriteString("data"u8, encrypted);
        json.WriteString("format"u8, ResponsesUpstreamWire.EncryptedFormat);
        json.WriteNumber("index"u8, index);
        json.WriteEndObject();
    }

    private static void WriteToolCalls(Utf8JsonWriter json, JsonElement output)
    {
        json.WriteStartArray("tool_calls"u8);
        foreach (JsonElement item in output.EnumerateArray())
        {
            if (Str(item, "type"u8) != "function_call") continue;
            json.WriteStartObject();
            json.WriteString("id"u8, Str(item, "call_id"u8) ?? Str(item, "id"u8) ?? ToolCallIds.NewOpenAIId());
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, Str(item, "name"u8) ?? "");
            json.WriteString("arguments"u8, Str(item, "arguments"u8) is { Length: > 0 } arguments ? arguments : "{}");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Responses usage: input_tokens (cached ones included), output_tokens (reasoning ones included).</summary>
    internal static TokenUsage ReadUsage(JsonElement usage, out long reasoningTokens)
    {
        reasoningTokens = 0;
        if (usage.ValueKind != JsonValueKind.Object) return default;
        long? cached = usage.TryGetProperty("input_tokens_details"u8, out JsonElement inDetails) ? Long(inDetails, "cached_tokens"u8) : null;
        if (usage.TryGetProperty("output_tokens_details"u8, out JsonElement outDetails)) reasoningTokens = Long(outDetails, "reasoning_tokens"u8) ?? 0;
        return new TokenUsage(Long(usage, "input_tokens"u8), Long(usage, "output_tokens"u8), cached);
    }

    private static long? Long(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : null;

    private static string? Str(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
