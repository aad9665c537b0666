using System.Buffers;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Gemini;

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
internal sealed class GeminiToAnthropicStream : GeminiStreamReader
{
    private enum BlockKind : byte { None, Thinking, Text }

    private readonly string _model;
    private readonly string? _messageId;
    private readonly long? _estimatedInputTokens;
    private readonly ToolNameMap? _toolNames;
    private readonly AnthropicEventWriter _events = new();

    private bool _started;
    private BlockKind _open;
    private bool _thinkingSigned;
    private int _toolCount;

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
            if (!part.EscapedText.IsEmpty) _events.TextDelta(output, thinking: true, part.EscapedText);
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
            _events.TextDelta(output, thinking: false, part.EscapedText);
        }
    }

    private void WriteSignature(IBufferWriter<byte> output, string signature)
    {
        _events.SignatureDelta(output, "gemini:"u8, Escape(signature));
        _thinkingSigned = true;
    }

    private void WriteToolUse(IBufferWriter<byte> output, string? geminiId, string name, ReadOnlySpan<byte> rawArgs)
    {
        CloseBlock(output);
        string id = geminiId is not null ? ToolCallIds.ToAnthropic(geminiId) : GeminiWire.ToolIdBase("toolu_", ResponseId!, _toolCount);
        _toolCount++;
        // A function call comes whole: its block opens, takes all the arguments and stops at once.
        _events.ToolUseBlockStart(output, id, ToolNameMap.ToClient(_toolNames, name));
        _events.InputJsonDelta(output, EscapeArguments(rawArgs));
        _events.BlockStop(output);
    }

    private void OpenTextBlock(IBufferWriter<byte> output, BlockKind kind)
    {
        CloseBlock(output);
        _open = kind;
        _thinkingSigned = false;
        _events.TextBlockStart(output, thinking: kind == BlockKind.Thinking);
    }

    private void CloseBlock(IBufferWriter<byte> output)
    {
        if (_open == BlockKind.None) return;
        _open = BlockKind.None;
        _events.BlockStop(output);
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        _events.MessageStart(output, _messageId ?? "msg_" + (ResponseId ?? ToolCallIds.RandomSuffix()), _model,
            new TokenUsage(CurrentUsage.InputTokens ?? _estimatedInputTokens ?? 0, 0, CurrentUsage.CachedInputTokens));
    }

    private protected override void Complete(IBufferWriter<byte> output)
    {
        EnsureStarted(output);
        CloseBlock(output);

        _events.MessageEnd(output, GeminiWire.AnthropicStopReason(FinishReason, _toolCount > 0), CurrentUsage);
        Finished = true;
    }

    private protected override void WriteError(IBufferWriter<byte> output, int status, string message) =>
        AnthropicEventWriter.Error(output, ErrorFormats.Anthropic(ErrorFormats.AnthropicTypeForStatus(status), message));

    private protected override void WriteError(IBufferWriter<byte> output, int status, byte[] upstreamBody) =>
        AnthropicEventWriter.Error(output, ErrorFormats.FromUpstream(ApiFormat.Anthropic, status, upstreamBody));
}
