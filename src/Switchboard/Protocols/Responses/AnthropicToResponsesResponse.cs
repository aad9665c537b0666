using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// A non-streamed Anthropic message → a Responses API response object in one step: the same items, status and usage
/// the pivot gives (Anthropic → Chat completion → Responses), without writing the Chat completion and parsing it
/// again. Thinking becomes a reasoning item with a summary, the text one message item, each tool_use a call item
/// of the kind its tool stands for.
/// </summary>
internal static class AnthropicToResponsesResponse
{
    /// <param name="clientModel">The model the client sees; null keeps the upstream's.</param>
    /// <param name="usage">The upstream's usage (input includes cache reads and writes; counts it left out are 0, as in the response).</param>
    public static byte[] Translate(JsonElement message, string? clientModel, ResponsesToolMap? tools, out TokenUsage usage)
    {
        var upstreamUsage = message.TryGetProperty("usage"u8, out var u) ? UsageMapping.FromAnthropic(u) : default;
        var responsesUsage = new ResponsesUsage
        {
            InputTokens = upstreamUsage.InputTokens ?? 0,
            OutputTokens = upstreamUsage.OutputTokens ?? 0,
            CachedTokens = upstreamUsage.CachedInputTokens ?? 0,
        };
        usage = upstreamUsage with { InputTokens = responsesUsage.InputTokens, OutputTokens = responsesUsage.OutputTokens, CachedInputTokens = responsesUsage.CachedTokens };

        OutputItem? reasoning = null, text = null;
        List<OutputItem>? calls = null;
        if (message.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                switch (AnthropicToOpenAIRequest.BlockType(block))
                {
                    case "text":
                        AppendText(ref text, OutputItemKind.Message, "msg", Str(block, "text"u8));
                        break;
                    case "thinking":
                        AppendText(ref reasoning, OutputItemKind.Reasoning, "rs", Str(block, "thinking"u8));
                        break;
                    case "tool_use":
                        var call = OutputItem.Call(ResponsesToolMap.Lookup(tools, Str(block, "name"u8) ?? ""), Str(block, "id"u8) ?? ToolCallIds.NewOpenAIId());
                        if (block.TryGetProperty("input"u8, out var input))
                        {
                            using var writer = new Utf8JsonWriter(call.Text, SseWriter.JsonOptions);
                            input.WriteTo(writer);
                        }
                        else call.Append("{}"u8);
                        call.Done = true;
                        (calls ??= []).Add(call);
                        break;
                }
            }
        }
        // The pivot's order: reasoning, the message, then the calls; empty text makes no item.
        var items = new List<OutputItem>(2 + (calls?.Count ?? 0));
        if (reasoning is not null) items.Add(reasoning);
        if (text is not null) items.Add(text);
        if (calls is not null) items.AddRange(calls);

        var (status, reason) = ResponseObject.FromFinishReason(StopReasons.ToOpenAI(Str(message, "stop_reason"u8)));
        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            ResponseObject.Write(json, ResponsesWire.NewResponseId(), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), clientModel ?? Str(message, "model"u8) ?? "",
                status, items, responsesUsage, reason);
        }
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    private static void AppendText(ref OutputItem? item, OutputItemKind kind, string idPrefix, string? text)
    {
        if (string.IsNullOrEmpty(text)) return;
        item ??= new OutputItem(kind, ResponsesWire.NewItemId(idPrefix)) { Done = true };
        var span = item.Text.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        item.Text.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
