using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Gemini;

/// <summary>
/// Gemini GenerateContentResponse (non-streamed) → Anthropic message or OpenAI chat.completion. Only the first
/// candidate is translated. Thought parts (<c>"thought": true</c>) become thinking / reasoning_content; signatures
/// travel as <see cref="GeminiWire"/> describes; function calls get ids "toolu_/call_{responseId}_{n}" (Gemini has none).
/// </summary>
internal static class GeminiResponse
{
    private enum Kind : byte { Text, Thinking, Tool }

    /// <summary>A client-side block: text, thinking (with an optional signature) or a tool call.</summary>
    private sealed class Block(Kind kind)
    {
        public readonly Kind Kind = kind;
        public readonly StringBuilder Text = new();
        public string? Signature;
        public string? ToolId, ToolName, Arguments;
    }

    public static byte[] ToAnthropic(JsonElement response, string? clientModel, out TokenUsage usage, ToolNameMap? toolNames = null)
    {
        var (blocks, finish, responseId) = Read(response, out usage, forAnthropic: true, toolNames);
        bool sawTools = blocks.Any(b => b.Kind == Kind.Tool);

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, "msg_" + responseId);
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("model"u8, clientModel ?? Str(response, "modelVersion"u8) ?? "");
            json.WriteStartArray("content"u8);
            foreach (Block block in blocks)
            {
                json.WriteStartObject();
                switch (block.Kind)
                {
                    case Kind.Text:
                        json.WriteString("type"u8, "text"u8);
                        json.WriteString("text"u8, block.Text.ToString());
                        break;
                    case Kind.Thinking:
                        json.WriteString("type"u8, "thinking"u8);
                        json.WriteString("thinking"u8, block.Text.ToString());
                        json.WriteString("signature"u8, block.Signature is null ? "" : GeminiWire.SignaturePrefix + block.Signature);
                        break;
                    case Kind.Tool:
                        json.WriteString("type"u8, "tool_use"u8);
                        json.WriteString("id"u8, block.ToolId);
                        json.WriteString("name"u8, block.ToolName);
                        json.WritePropertyName("input"u8);
                        OpenAIToAnthropicRequest.ParseArguments(block.Arguments).WriteTo(json);
                        AnthropicBlocks.WriteDirectCaller(json);
                        break;
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("stop_reason"u8, GeminiWire.AnthropicStopReason(finish, sawTools));
            json.WriteNull("stop_sequence"u8);
            UsageMapping.WriteAnthropic(json, usage);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <param name="created">Unix seconds for <c>created</c>; now when null (tests pin it).</param>
    public static byte[] ToOpenAI(JsonElement response, string? clientModel, out TokenUsage usage, ToolNameMap? toolNames = null, long? created = null)
    {
        var (blocks, finish, responseId) = Read(response, out usage, forAnthropic: false, toolNames);
        bool sawTools = blocks.Any(b => b.Kind == Kind.Tool);
        string text = string.Concat(blocks.Where(b => b.Kind == Kind.Text).Select(b => b.Text.ToString()));
        string reasoning = string.Concat(blocks.Where(b => b.Kind == Kind.Thinking).Select(b => b.Text.ToString()));

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            OpenAIChatCompletion.WriteStart(json, "chatcmpl-" + responseId, created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                clientModel ?? Str(response, "modelVersion"u8) ?? "", text, reasoning);
            if (sawTools)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (Block block in blocks)
                {
                    // Read sets the id, name and arguments of every tool block.
                    if (block.Kind == Kind.Tool) OpenAIChatCompletion.WriteToolCall(json, block.ToolId!, block.ToolName!, block.Arguments!);
                }
                json.WriteEndArray();
            }
            OpenAIChatCompletion.WriteEnd(json, GeminiWire.OpenAIFinishReason(finish, sawTools), usage);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The first candidate's parts as client blocks. Consecutive text parts merge; thought parts merge into one
    /// thinking block until a signature seals it. Anthropic: a signature on a non-thought part goes on the open thinking
    /// block, or on a new empty one, placed before that part's block. OpenAI: a function call's id carries the latest
    /// signature not yet placed.
    /// </summary>
    private static (List<Block> Blocks, GeminiWire.Finish Finish, string ResponseId) Read(JsonElement response, out TokenUsage usage,
        bool forAnthropic, ToolNameMap? toolNames)
    {
        usage = response.TryGetProperty("usageMetadata"u8, out JsonElement u) ? GeminiWire.ReadUsage(u) : default;
        string responseId = GeminiWire.SafeResponseId(Str(response, "responseId"u8));
        var blocks = new List<Block>();
        GeminiWire.Finish finish = GeminiWire.Finish.None;

        if (response.TryGetProperty("candidates"u8, out JsonElement candidates) && candidates.ValueKind == JsonValueKind.Array
            && candidates.GetArrayLength() > 0)
        {
            JsonElement candidate = candidates[0];
            finish = GeminiWire.ParseFinish(Str(candidate, "finishReason"u8));
            if (candidate.TryGetProperty("content"u8, out JsonElement content) && content.TryGetProperty("parts"u8, out JsonElement parts)
                && parts.ValueKind == JsonValueKind.Array)
            {
                string? pendingSignature = null;    // OpenAI: for the next function call
                int toolCount = 0;
                foreach (JsonElement part in parts.EnumerateArray())
                {
                    string? signature = Str(part, "thoughtSignature"u8);
                    bool thought = part.TryGetProperty("thought"u8, out JsonElement th) && th.ValueKind == JsonValueKind.True;
                    string? text = Str(part, "text"u8);

                    if (thought)
                    {
                        Block thinking = blocks.Count > 0 && blocks[^1] is { Kind: Kind.Thinking, Signature: null } last ? last : Add(blocks, Kind.Thinking);
                        thinking.Text.Append(text);
                        if (signature is not null)
                        {
                            if (forAnthropic) thinking.Signature = signature;
                            else pendingSignature = signature;
                        }
                        continue;
                    }

                    if (signature is not null)
                    {
                        if (!forAnthropic) pendingSignature = signature;
                        else if (blocks.Count > 0 && blocks[^1] is { Kind: Kind.Thinking, Signature: null } open) open.Signature = signature;
                        else Add(blocks, Kind.Thinking).Signature = signature;
                    }

                    if (part.TryGetProperty("functionCall"u8, out JsonElement call) && call.ValueKind == JsonValueKind.Object)
                    {
                        Block tool = Add(blocks, Kind.Tool);
                        string? geminiId = Str(call, "id"u8);
                        if (forAnthropic)
                        {
                            tool.ToolId = geminiId is not null ? ToolCallIds.ToAnthropic(geminiId) : GeminiWire.ToolIdBase("toolu_", responseId, toolCount);
                        }
                        else
                        {
                            tool.ToolId = GeminiWire.OpenAIToolId(geminiId ?? GeminiWire.ToolIdBase("call_", responseId, toolCount), pendingSignature);
                            pendingSignature = null;
                        }
                        toolCount++;
                        tool.ToolName = ToolNameMap.ToClient(toolNames, Str(call, "name"u8) ?? "");
                        tool.Arguments = call.TryGetProperty("args"u8, out JsonElement args) && args.ValueKind == JsonValueKind.Object
                            ? args.GetRawText() : "{}";
                    }
                    else if (!string.IsNullOrEmpty(text))
                    {
                        Block textBlock = blocks.Count > 0 && blocks[^1].Kind == Kind.Text ? blocks[^1] : Add(blocks, Kind.Text);
                        textBlock.Text.Append(text);
                    }
                }
            }
        }
        else if (response.TryGetProperty("promptFeedback"u8, out JsonElement feedback) && Str(feedback, "blockReason"u8) is not null)
        {
            finish = GeminiWire.Finish.Filtered; // the prompt itself was blocked: no candidates at all
        }
        return (blocks, finish, responseId);
    }

    private static Block Add(List<Block> blocks, Kind kind)
    {
        var block = new Block(kind);
        blocks.Add(block);
        return block;
    }
}
