using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.OpenAIChat;

/// <summary>
/// The frame of a non-streamed OpenAI chat.completion with one choice, as every translation to OpenAI writes it;
/// the callers differ only in where the values come from.
/// </summary>
internal static class OpenAIChatCompletion
{
    /// <summary>
    /// Opens the completion, its choice and the message: role, content (null when there is none) and reasoning_content
    /// (left out when there is none). Then tool_calls, if any, and <see cref="WriteEnd"/>.
    /// </summary>
    public static void WriteStart(Utf8JsonWriter json, string id, long created, string model, string? content, string? reasoning)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("object"u8, "chat.completion"u8);
        json.WriteNumber("created"u8, created);
        json.WriteString("model"u8, model);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        if (content is { Length: > 0 }) json.WriteString("content"u8, content); else json.WriteNull("content"u8);
        if (reasoning is { Length: > 0 }) json.WriteString("reasoning_content"u8, reasoning);
    }

    /// <summary>One entry of the message's tool_calls array.</summary>
    public static void WriteToolCall(Utf8JsonWriter json, string id, string name, string arguments)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("type"u8, "function"u8);
        json.WriteStartObject("function"u8);
        json.WriteString("name"u8, name);
        json.WriteString("arguments"u8, arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Closes the message and the choice (with its finish_reason), then usage and the completion.</summary>
    public static void WriteEnd(Utf8JsonWriter json, string finishReason, TokenUsage usage)
    {
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        UsageMapping.WriteOpenAI(json, usage);
        json.WriteEndObject();
    }
}
