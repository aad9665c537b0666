using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Anthropic;

/// <summary>
/// Anthropic message → OpenAI chat.completion. Thinking becomes <c>reasoning_content</c> (the DeepSeek convention
/// most OpenAI clients read); its signature has no OpenAI equivalent and is dropped.
/// </summary>
internal static class AnthropicToOpenAIResponse
{
    /// <param name="anthropicResponse">The upstream's message body.</param>
    /// <param name="clientModel">The model name to show the client; null keeps the upstream's.</param>
    /// <param name="usage">The upstream's usage (input includes cache reads and writes).</param>
    /// <param name="created">Unix seconds for <c>created</c>; now when null (tests pin it).</param>
    public static byte[] Translate(JsonElement anthropicResponse, string? clientModel, out TokenUsage usage, long? created = null)
    {
        usage = anthropicResponse.TryGetProperty("usage"u8, out JsonElement u) ? UsageMapping.FromAnthropic(u) : default;

        var text = new StringBuilder();
        var thinking = new StringBuilder();
        int toolCalls = 0;
        if (anthropicResponse.TryGetProperty("content"u8, out JsonElement content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement block in content.EnumerateArray())
            {
                switch (AnthropicToOpenAIRequest.BlockType(block))
                {
                    case "text": text.Append(Str(block, "text"u8)); break;
                    case "thinking": thinking.Append(Str(block, "thinking"u8)); break;
                    case "tool_use": toolCalls++; break;
                }
            }
        }

        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            OpenAIChatCompletion.WriteStart(json, CompletionId(Str(anthropicResponse, "id"u8)), created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                clientModel ?? Str(anthropicResponse, "model"u8) ?? "", text.ToString(), thinking.ToString());
            if (toolCalls > 0)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (JsonElement block in content.EnumerateArray())
                {
                    if (AnthropicToOpenAIRequest.BlockType(block) is not "tool_use") continue;
                    OpenAIChatCompletion.WriteToolCall(json, Str(block, "id"u8) ?? ToolCallIds.NewOpenAIId(), Str(block, "name"u8) ?? "",
                        block.TryGetProperty("input"u8, out JsonElement input) ? AnthropicToOpenAIRequest.Compact(input) : "{}");
                }
                json.WriteEndArray();
            }
            OpenAIChatCompletion.WriteEnd(json, StopReasons.ToOpenAI(Str(anthropicResponse, "stop_reason"u8)), usage);
        }
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    /// <summary>"msg_abc" → "chatcmpl-msg_abc".</summary>
    internal static string CompletionId(string? upstreamId) =>
        "chatcmpl-" + (string.IsNullOrEmpty(upstreamId) ? ToolCallIds.RandomSuffix() : upstreamId);
}
