using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// Gemini streamGenerateContent (SSE) → Anthropic Messages event stream.
/// <para>
/// Event order is always complete: message_start (with Gemini's prompt token count from the first event) and ping;
/// blocks at indexes 0, 1, 2…, each stopped before the next opens; message_delta with stop_reason and usage, then
/// message_stop when the upstream ends (Gemini sends no end marker). Text parts stream into one text block; thought
/// parts into a thinking block; a function call (always whole in one part) becomes a tool_use block opened, filled
/// and stopped at once, with id "toolu_{responseId}_{n}".
/// </para>
/// <para>
/// A thoughtSignature becomes a signature_delta ("gemini:" + signature) on the open thinking block, or on a new empty
/// thinking block placed before the signed part's block (see <see cref="GeminiWire"/>).
/// </para>
/// </summary>
public sealed class GeminiToAnthropicStream : GeminiStreamReader
{
    private enum BlockKind : byte { None, Thinking, Text }

    private readonly string _model;
    private readonly string? _messageId;
    private readonly long? _estimatedInputTokens;
    private readonly ToolNameMap? _toolNames;
    private readonly ReusableJsonWriter _json = new();

    private bool _started;
    private BlockKind _open;
    private bool _thinkingSigned;
    private int _openIndex;
    private int _nextIndex;
    private int _toolCount;
    private long _forwardedBytes;

    /// <param name="model">The model name the client sees.</param>
    /// <param name="messageId">The message id; "msg_" + Gemini's responseId when null (tests pin it).</param>
    /// <param name="estimatedInputTokens">For message_start when the first event has no usage.</param>
    /// <param name="toolNames">The map from the request translation, if it shortened tool names.</param>
    public GeminiToAnthropicStream(string model, string? messageId = null, long? estimatedInputTokens = null, ToolNameMap? toolNames = null)
    {
        _model = model;
        _messageId = messageId;
        _estimatedInputTokens = estimatedInputTokens;
        _toolNames = toolNames;
    }

    private protected override void OnChunkStart(IBufferWriter<byte> output) => EnsureStarted(output);

    private protected override void OnPart(scoped in GeminiPart part, IBufferWriter<byte> output)
    {
        if (part.Thought)
        {
            if (_open != BlockKind.Thinking || _thinkingSigned) OpenTextBlock(output, BlockKind.Thinking);
            if (!part.EscapedText.IsEmpty) WriteTextDelta(output, BlockKind.Thinking, part.EscapedText);
            if (part.Signature is not null) WriteSignature(output, part.Signature);
            return;
        }

        if (part.Signature is not null)
        {
            // The signature belongs to this part: it goes first, so a client replaying the turn puts it back here.
            if (_open != BlockKind.Thinking || _thinkingSigned) OpenTextBlock(output, BlockKind.Thinking);
            WriteSignature(output, part.Signature);
        }

        if (part.CallName is not null)
        {
            WriteToolUse(output, part.CallId, part.CallName, part.CallArgs);
        }
        else if (!part.EscapedText.IsEmpty)
        {
            if (_open != BlockKind.Text) OpenTextBlock(output, BlockKind.Text);
            WriteTextDelta(output, BlockKind.Text, part.EscapedText);
        }
    }

    private void WriteSignature(IBufferWriter<byte> output, string signature)
    {
        SseWriter.Raw(output, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, ",\"delta\":{\"type\":\"signature_delta\",\"signature\":\"gemini:"u8);
        SseWriter.Raw(output, Escape(signature));
        SseWriter.Raw(output, "\"}}\n\n"u8);
        _thinkingSigned = true;
    }

    private void WriteToolUse(IBufferWriter<byte> output, string? geminiId, string name, ReadOnlySpan<byte> rawArgs)
    {
        CloseBlock(output);
        string id = geminiId is not null ? ToolCallIds.ToAnthropic(geminiId) : GeminiWire.ToolIdBase("toolu_", ResponseId!, _toolCount);
        _toolCount++;
        _openIndex = _nextIndex++;

        SseWriter.EventHead(output, "content_block_start"u8);
        Utf8JsonWriter json = _json.Begin(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "content_block_start"u8);
        json.WriteNumber("index"u8, _openIndex);
        json.WriteStartObject("content_block"u8);
        json.WriteString("type"u8, "tool_use"u8);
        json.WriteString("id"u8, id);
        json.WriteString("name"u8, ToolNameMap.ToClient(_toolNames, name));
        json.WriteStartObject("input"u8);
        json.WriteEndObject();
        AnthropicBlocks.WriteDirectCaller(json);
        json.WriteEndObject();
        json.WriteEndObject();
        _json.End();
        SseWriter.FrameEnd(output);

        ReadOnlySpan<byte> escaped = EscapeArguments(rawArgs);
        _forwardedBytes += escaped.Length;
        SseWriter.Raw(output, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\""u8);
        SseWriter.Raw(output, escaped);
        SseWriter.Raw(output, "\"}}\n\n"u8);

        SseWriter.Raw(output, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, "}\n\n"u8);
    }

    private void WriteTextDelta(IBufferWriter<byte> output, BlockKind kind, ReadOnlySpan<byte> escapedText)
    {
        _forwardedBytes += escapedText.Length;
        SseWriter.Raw(output, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, kind == BlockKind.Text
            ? ",\"delta\":{\"type\":\"text_delta\",\"text\":\""u8
            : ",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\""u8);
        SseWriter.Raw(output, escapedText);
        SseWriter.Raw(output, "\"}}\n\n"u8);
    }

    private void OpenTextBlock(IBufferWriter<byte> output, BlockKind kind)
    {
        CloseBlock(output);
        _open = kind;
        _thinkingSigned = false;
        _openIndex = _nextIndex++;
        SseWriter.Raw(output, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, kind == BlockKind.Text
            ? ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"u8
            : ",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"u8);
    }

    private void CloseBlock(IBufferWriter<byte> output)
    {
        if (_open == BlockKind.None) return;
        _open = BlockKind.None;
        SseWriter.Raw(output, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"u8);
        SseWriter.Number(output, _openIndex);
        SseWriter.Raw(output, "}\n\n"u8);
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;

        SseWriter.EventHead(output, "message_start"u8);
        Utf8JsonWriter json = _json.Begin(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "message_start"u8);
        json.WriteStartObject("message"u8);
        json.WriteString("id"u8, _messageId ?? "msg_" + (ResponseId ?? ToolCallIds.RandomSuffix()));
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("model"u8, _model);
        json.WriteStartArray("content"u8);
        json.WriteEndArray();
        json.WriteNull("stop_reason"u8);
        json.WriteNull("stop_sequence"u8);
        UsageMapping.WriteAnthropic(json, new TokenUsage(CurrentUsage.InputTokens ?? _estimatedInputTokens ?? 0, 0, CurrentUsage.CachedInputTokens));
        json.WriteEndObject();
        json.WriteEndObject();
        _json.End();
        SseWriter.FrameEnd(output);

        SseWriter.Raw(output, "event: ping\ndata: {\"type\":\"ping\"}\n\n"u8);
    }

    private protected override void Complete(IBufferWriter<byte> output)
    {
        EnsureStarted(output);
        CloseBlock(output);

        SseWriter.EventHead(output, "message_delta"u8);
        Utf8JsonWriter json = _json.Begin(output);
        json.WriteStartObject();
        json.WriteString("type"u8, "message_delta"u8);
        json.WriteStartObject("delta"u8);
        json.WriteString("stop_reason"u8, GeminiWire.AnthropicStopReason(FinishReason, _toolCount > 0));
        json.WriteNull("stop_sequence"u8);
        json.WriteEndObject();
        TokenUsage usage = CurrentUsage.OutputTokens is null
            ? CurrentUsage with { OutputTokens = (_forwardedBytes + TokenEstimator.CharsPerToken - 1) / TokenEstimator.CharsPerToken }
            : CurrentUsage;
        UsageMapping.WriteAnthropic(json, usage, includeInput: usage.InputTokens is not null);
        json.WriteEndObject();
        _json.End();
        SseWriter.FrameEnd(output);

        SseWriter.Raw(output, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8);
        Finished = true;
    }

    private protected override void WriteError(IBufferWriter<byte> output, int status, string message) =>
        WriteErrorFrame(output, ErrorFormats.Anthropic(ErrorFormats.AnthropicTypeForStatus(status), message));

    private protected override void WriteError(IBufferWriter<byte> output, int status, byte[] upstreamBody) =>
        WriteErrorFrame(output, ErrorFormats.FromUpstream(ApiFormat.Anthropic, status, upstreamBody));

    private static void WriteErrorFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> anthropicErrorJson)
    {
        // An error event ends an Anthropic stream: clients raise it, no message_stop follows.
        SseWriter.EventHead(output, "error"u8);
        SseWriter.Raw(output, anthropicErrorJson);
        SseWriter.FrameEnd(output);
    }
}
