using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// A non-streamed Chat completion (from an OpenAI-compatible upstream, or translated into Chat form from Anthropic or
/// Gemini) → a Responses API response object: reasoning_content as a reasoning item with a summary, the text as a
/// message item, each tool call as a function_call, custom_tool_call or local_shell_call item by the tool it stands for.
/// </summary>
internal static class ChatToResponsesResponse
{
    /// <param name="clientModel">The model the client sees; null keeps the completion's.</param>
    public static byte[] Translate(JsonElement completion, string? clientModel, ResponsesToolMap? tools, out TokenUsage usage, string? responseId = null)
    {
        if (completion.ValueKind != JsonValueKind.Object) throw new TranslationException("the completion must be a JSON object.");
        var items = new List<OutputItem>(2);
        string? finishReason = null;
        if (completion.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            var choice = choices[0];
            finishReason = Str(choice, "finish_reason"u8);
            if (choice.TryGetProperty("message"u8, out var message) && message.ValueKind == JsonValueKind.Object)
            {
                if ((Str(message, "reasoning_content"u8) ?? Str(message, "reasoning"u8)) is { Length: > 0 } reasoning)
                    items.Add(WithText(new OutputItem(OutputItemKind.Reasoning, ResponsesWire.NewItemId("rs")), reasoning));
                var text = Str(message, "content"u8) ?? Str(message, "refusal"u8);
                if (text is { Length: > 0 })
                    items.Add(WithText(new OutputItem(OutputItemKind.Message, ResponsesWire.NewItemId("msg")), text));
                if (message.TryGetProperty("tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray())
                    {
                        if (!call.TryGetProperty("function"u8, out var function)) continue;
                        var name = Str(function, "name"u8) ?? "";
                        var item = OutputItem.Call(ResponsesToolMap.Lookup(tools, name), Str(call, "id"u8) ?? ResponsesWire.NewItemId("call"));
                        items.Add(WithText(item, Str(function, "arguments"u8) ?? "{}"));
                    }
                }
            }
        }
        var responsesUsage = completion.TryGetProperty("usage"u8, out var usageElement) ? ResponsesUsage.FromChat(usageElement) : default;
        usage = responsesUsage.ToTokenUsage();
        var (status, reason) = ResponseObject.FromFinishReason(finishReason);
        var created = completion.TryGetProperty("created"u8, out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var seconds) ? seconds : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = clientModel ?? Str(completion, "model"u8) ?? "";

        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            ResponseObject.Write(json, responseId ?? ResponsesWire.NewResponseId(), created, model, status, items, responsesUsage, reason);
        }
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    private static OutputItem WithText(OutputItem item, string text)
    {
        item.Append(Encoding.UTF8.GetBytes(text));
        item.Done = true;
        return item;
    }

    private static string? Str(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
