using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Anthropic;

/// <summary>
/// Writes the events of an Anthropic Messages stream for the translators that serve Anthropic clients, and numbers the
/// content blocks: each block start takes the next index (0, 1, 2…), and its deltas and stop use it. Which blocks to
/// open and when is the translator's business; this keeps the wire format and the indexes in one place.
/// <para>
/// Deltas are built from byte literals and the upstream's escaped string bytes, so they allocate nothing. It also
/// counts the bytes of text, thinking and tool arguments it forwards, for an output-token estimate when the upstream
/// reports none.
/// </para>
/// </summary>
internal sealed class AnthropicEventWriter
{
    private Utf8JsonWriter? _json;
    private int _nextIndex;
    /// <summary>The index of the block opened last: the open block's, while one is open.</summary>
    private int _openIndex;
    private long _forwardedBytes;

    /// <summary>message_start (empty content, no stop reason yet) and a ping, the head of every stream.</summary>
    public void MessageStart(IBufferWriter<byte> output, string messageId, string model, TokenUsage usage)
    {
        Utf8JsonWriter json = BeginJsonEvent(output, "message_start"u8);
        json.WriteStartObject("message"u8);
        json.WriteString("id"u8, messageId);
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("model"u8, model);
        json.WriteStartArray("content"u8);
        json.WriteEndArray();
        json.WriteNull("stop_reason"u8);
        json.WriteNull("stop_sequence"u8);
        UsageMapping.WriteAnthropic(json, usage);
        json.WriteEndObject();
        SseWriter.EndJsonFrame(json, output);

        SseWriter.Raw(output, "event: ping\ndata: {\"type\":\"ping\"}\n\n"u8);
    }

    /// <summary>content_block_start of an empty text block, or of a thinking block with an empty signature.</summary>
    public void TextBlockStart(IBufferWriter<byte> output, bool thinking)
    {
        _openIndex = _nextIndex++;
        SseWriter.Raw(output, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, thinking
            ? ",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"u8
            : ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"u8);
    }

    /// <summary>content_block_start of a tool_use block with empty input; the arguments follow as input_json_delta.</summary>
    public void ToolUseBlockStart(IBufferWriter<byte> output, string id, string name)
    {
        _openIndex = _nextIndex++;
        Utf8JsonWriter json = BeginJsonEvent(output, "content_block_start"u8);
        json.WriteNumber("index"u8, _openIndex);
        json.WriteStartObject("content_block"u8);
        json.WriteString("type"u8, "tool_use"u8);
        json.WriteString("id"u8, id);
        json.WriteString("name"u8, name);
        json.WriteStartObject("input"u8);
        json.WriteEndObject();
        AnthropicBlocks.WriteDirectCaller(json);
        json.WriteEndObject();
        SseWriter.EndJsonFrame(json, output);
    }

    /// <summary>A text_delta or thinking_delta on the open block: the hot path.</summary>
    public void TextDelta(IBufferWriter<byte> output, bool thinking, ReadOnlySpan<byte> escapedText)
    {
        _forwardedBytes += escapedText.Length;
        DeltaHead(output);
        SseWriter.Raw(output, thinking
            ? ",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\""u8
            : ",\"delta\":{\"type\":\"text_delta\",\"text\":\""u8);
        SseWriter.Raw(output, escapedText);
        SseWriter.Raw(output, "\"}}\n\n"u8);
    }

    public void InputJsonDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> escapedArguments)
    {
        _forwardedBytes += escapedArguments.Length;
        DeltaHead(output);
        SseWriter.Raw(output, ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\""u8);
        SseWriter.Raw(output, escapedArguments);
        SseWriter.Raw(output, "\"}}\n\n"u8);
    }

    /// <summary>A signature_delta on the open (thinking) block; the signature is <paramref name="escapedTag"/> followed by
    /// <paramref name="escapedSignature"/>, written one after the other so a tagged signature needs no concatenation.</summary>
    public void SignatureDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> escapedTag, ReadOnlySpan<byte> escapedSignature)
    {
        DeltaHead(output);
        SseWriter.Raw(output, ",\"delta\":{\"type\":\"signature_delta\",\"signature\":\""u8);
        SseWriter.Raw(output, escapedTag);
        SseWriter.Raw(output, escapedSignature);
        SseWriter.Raw(output, "\"}}\n\n"u8);
    }

    public void BlockStop(IBufferWriter<byte> output)
    {
        SseWriter.Raw(output, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, "}\n\n"u8);
    }

    /// <summary>message_delta (stop_reason and usage), then message_stop: the end of every stream that did not fail.</summary>
    public void MessageEnd(IBufferWriter<byte> output, string stopReason, TokenUsage usage)
    {
        Utf8JsonWriter json = BeginJsonEvent(output, "message_delta"u8);
        json.WriteStartObject("delta"u8);
        json.WriteString("stop_reason"u8, stopReason);
        json.WriteNull("stop_sequence"u8);
        json.WriteEndObject();
        // An upstream that reports no usage (some ignore stream_options.include_usage): estimate rather than claim 0
        // output tokens.
        if (usage.OutputTokens is null)
        {
            usage = usage with { OutputTokens = (_forwardedBytes + TokenEstimator.CharsPerToken - 1) / TokenEstimator.CharsPerToken };
        }
        UsageMapping.WriteAnthropic(json, usage, includeInput: usage.InputTokens is not null);
        SseWriter.EndJsonFrame(json, output);

        SseWriter.Raw(output, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8);
    }

    /// <summary>An error event ends an Anthropic stream: clients raise it, no message_stop follows.</summary>
    public static void Error(IBufferWriter<byte> output, ReadOnlySpan<byte> anthropicErrorJson)
    {
        SseWriter.EventHead(output, "error"u8);
        SseWriter.Raw(output, anthropicErrorJson);
        SseWriter.FrameEnd(output);
    }

    /// <summary>The head of an event written with the JSON writer, up to its "type"; end with <see cref="SseWriter.EndJsonFrame"/>.</summary>
    private Utf8JsonWriter BeginJsonEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> eventType)
    {
        SseWriter.EventHead(output, eventType);
        Utf8JsonWriter json = SseWriter.BeginJson(ref _json, output);
        json.WriteStartObject();
        json.WriteString("type"u8, eventType);
        return json;
    }

    private void DeltaHead(IBufferWriter<byte> output)
    {
        SseWriter.Raw(output, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
    }
}
