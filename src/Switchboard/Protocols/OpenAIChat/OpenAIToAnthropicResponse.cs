using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.OpenAIChat;

/// <summary>
/// OpenAI chat.completion → Anthropic message. <c>reasoning_content</c> (DeepSeek, vLLM, …; <c>reasoning</c> on
/// OpenRouter/Ollama) becomes a thinking block with an empty signature: Claude Code drops thinking blocks that lack the
/// field, and an empty one can never pass for a real Anthropic signature (so it is never fabricated). If such a block
/// comes back in history toward an Anthropic upstream, the gateway must strip it (unsigned thinking is rejected).
/// </summary>
internal static class OpenAIToAnthropicResponse
{
    /// <param name="openAIResponse">The upstream's chat.completion body.</param>
    /// <param name="clientModel">The model name to show the client; null keeps the upstream's.</param>
    /// <param name="usage">The upstream's usage (input includes cached tokens).</param>
    /// <param name="toolNames">The map from the request translation, if it shortened tool names.</param>
    public static byte[] Translate(JsonElement openAIResponse, string? clientModel, out TokenUsage usage, ToolNameMap? toolNames = null)
    {
        usage = openAIResponse.TryGetProperty("usage"u8, out JsonElement u) ? UsageMapping.FromOpenAI(u) : default;

        JsonElement message = default, choice = default;
        if (openAIResponse.TryGetProperty("choices"u8, out JsonElement choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            choice = choices[0];
            choice.TryGetProperty("message"u8, out message);
        }

        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, MessageId(Str(openAIResponse, "id"u8)));
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("model"u8, clientModel ?? Str(openAIResponse, "model"u8) ?? "");
            json.WriteStartArray("content"u8);

            string? reasoning = Str(message, "reasoning_content"u8) ?? Str(message, "reasoning"u8);
            // A Responses upstream's encrypted reasoning (reasoning_details) signs the thinking block; anything else is unsigned.
            foreach (string signature in Responses.ResponsesUpstreamWire.SignaturesOf(message))
            {
                WriteThinking(json, reasoning ?? "", signature);
                reasoning = null;
            }
            if (reasoning is { Length: > 0 }) WriteThinking(json, reasoning, "");
            string? text = TextOf(message);
            if (!string.IsNullOrEmpty(text)) WriteText(json, text);
            string? refusal = Str(message, "refusal"u8);
            if (!string.IsNullOrEmpty(refusal)) WriteText(json, refusal);

            bool sawToolCalls = false;
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("tool_calls"u8, out JsonElement calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement call in calls.EnumerateArray())
                {
                    if (!call.TryGetProperty("function"u8, out JsonElement function)) continue;
                    sawToolCalls = true;
                    json.WriteStartObject();
                    json.WriteString("type"u8, "tool_use"u8);
                    json.WriteString("id"u8, ToolCallIds.ToAnthropic(Str(call, "id"u8)));
                    json.WriteString("name"u8, ToolNameMap.ToClient(toolNames, Str(function, "name"u8) ?? ""));
                    json.WritePropertyName("input"u8);
                    OpenAIToAnthropicRequest.ParseArguments(Str(function, "arguments"u8)).WriteTo(json);
                    AnthropicBlocks.WriteDirectCaller(json);
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();

            string? finish = Str(choice, "finish_reason"u8);
            json.WriteString("stop_reason"u8, !string.IsNullOrEmpty(refusal) && finish is null or "stop" ? "refusal" : StopReasons.ToAnthropic(finish, sawToolCalls));
            json.WriteNull("stop_sequence"u8);
            UsageMapping.WriteAnthropic(json, usage);
            json.WriteEndObject();
        }
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    /// <summary>"chatcmpl-abc" → "msg_chatcmpl-abc": deterministic, so logs on both sides line up.</summary>
    internal static string MessageId(string? upstreamId) =>
        string.IsNullOrEmpty(upstreamId) ? "msg_" + ToolCallIds.RandomSuffix() : "msg_" + ToolCallIds.ToAnthropic(upstreamId);

    private static void WriteThinking(Utf8JsonWriter json, string thinking, string signature)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "thinking"u8);
        json.WriteString("thinking"u8, thinking);
        json.WriteString("signature"u8, signature);
        json.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "text"u8);
        json.WriteString("text"u8, text);
        json.WriteEndObject();
    }

    private static string? TextOf(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content"u8, out JsonElement content)) return null;
        if (content.ValueKind == JsonValueKind.String) return content.GetString();
        if (content.ValueKind != JsonValueKind.Array) return null;
        var parts = new List<string>();
        foreach (JsonElement part in content.EnumerateArray())
        {
            if (Str(part, "text"u8) is { } t) parts.Add(t);
        }
        return string.Concat(parts);
    }
}
