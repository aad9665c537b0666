using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.OpenAIChat;

/// <summary>
/// OpenAI chat.completion.chunk stream → Anthropic Messages event stream, for an Anthropic client (Claude Code) served
/// by an OpenAI-protocol upstream.
/// <para>
/// Guarantees a complete, valid event order whatever the upstream does: message_start and ping first; each content
/// block opened, streamed and stopped before the next one opens, at indexes 0, 1, 2…; message_delta (stop_reason and
/// usage) and message_stop once, at [DONE] or when the upstream ends after a finish_reason. finish_reason is
/// remembered, not acted on, because the usage chunk comes after it. A stream that ends with neither was cut short: it
/// ends with an error event, never a clean stop.
/// </para>
/// <para>
/// Tool calls: fragments are keyed by the OpenAI <c>index</c> and streamed as input_json_delta as they arrive. Anthropic
/// blocks cannot interleave, so when a second call starts while the open one's arguments are still incomplete
/// (interleaved parallel calls) the second call is buffered and emitted once the open one is complete.
/// </para>
/// <para>
/// Reasoning (<c>reasoning_content</c>, or <c>reasoning</c> on OpenRouter/Ollama) becomes a thinking block with an
/// empty signature (see <see cref="OpenAIToAnthropicResponse"/> for why).
/// </para>
/// The common path (a text delta) copies the upstream's escaped string bytes into a hand-built frame: no allocation.
/// </summary>
internal sealed class OpenAIToAnthropicStream : IStreamTranslator
{
    private enum BlockKind : byte { None, Thinking, Text, Tool }
    private enum FinishReason : byte { None, Stop, Length, ToolCalls, ContentFilter }
    private enum ToolState : byte { Pending, Open, Closed }

    private sealed class ToolCall(int openAIIndex, string id, string name)
    {
        public readonly int OpenAIIndex = openAIIndex;
        public readonly string Id = id;
        public string Name = name;
        public ToolState State;
        public ToolArgumentsTracker Arguments;
        /// <summary>Escaped argument fragments held while another call's block is open.</summary>
        public ArrayBufferWriter<byte>? Buffered;
    }

    private readonly string _model;
    private readonly string? _messageId;
    private readonly long? _estimatedInputTokens;
    private readonly ToolNameMap? _toolNames;
    private readonly AnthropicEventWriter _events = new();
    private readonly List<ToolCall> _toolCalls = [];

    private bool _started;
    private bool _finished;
    private BlockKind _open;
    /// <summary>The open thinking block has its signature: more reasoning opens a new block.</summary>
    private bool _thinkingSigned;
    private ToolCall? _openTool;
    private FinishReason _finishReason;
    private TokenUsage _usage;

    /// <param name="model">The model name the client sees in message_start (usually the one it asked for).</param>
    /// <param name="messageId">The message id; a fresh "msg_…" when null (tests pin it).</param>
    /// <param name="estimatedInputTokens">
    /// Input tokens for message_start, which OpenAI only reports at the end (e.g. from <see cref="CountTokensEstimator"/>);
    /// 0 when null. message_delta carries the upstream's real count.
    /// </param>
    /// <param name="toolNames">The map from the request translation, if it shortened tool names.</param>
    public OpenAIToAnthropicStream(string model, string? messageId = null, long? estimatedInputTokens = null, ToolNameMap? toolNames = null)
    {
        _toolNames = toolNames;
        _model = model;
        _messageId = messageId;
        _estimatedInputTokens = estimatedInputTokens;
    }

    public TokenUsage Usage => _usage;

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (_finished) return;
        if (data.SequenceEqual("[DONE]"u8))
        {
            Finish(output);
            return;
        }
        if (eventType == "error")
        {
            WriteErrorFrame(output, ErrorFormats.FromUpstream(ApiFormat.Anthropic, 500, data));
            return;
        }
        try
        {
            ReadChunk(data, output);
        }
        catch (JsonException)
        {
            // A malformed chunk (some servers send keep-alive text as data) carries nothing we could forward.
        }
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        if (_finished) return true;
        if (_finishReason == FinishReason.None)
        {
            OnFailed(StreamEnd.TruncatedMessage(ApiFormat.OpenAI), output);
            return false;
        }
        Finish(output); // some servers end at the finish_reason (and usage) without [DONE]
        return true;
    }

    public void OnFailed(string message, IBufferWriter<byte> output)
    {
        if (_finished) return;
        WriteErrorFrame(output, ErrorFormats.Anthropic("api_error", message));
    }

    private void ReadChunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject) ReadChoice(ref reader, data, output);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReadUsage(ref reader);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.String)) continue;
                // Some servers report a mid-stream failure as a chunk: {"error": {...}}.
                WriteErrorFrame(output, ErrorFormats.FromUpstream(ApiFormat.Anthropic, 500, data));
                return;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadChoice(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        int index = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number) index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                // n > 1 has no Anthropic equivalent: only the first choice is translated.
                if (reader.TokenType == JsonTokenType.StartObject && index == 0) ReadDelta(ref reader, data, output);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && index == 0)
                {
                    _finishReason = reader.ValueTextEquals("length"u8) ? FinishReason.Length
                        : reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8) ? FinishReason.ToolCalls
                        : reader.ValueTextEquals("content_filter"u8) ? FinishReason.ContentFilter
                        : FinishReason.Stop;
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        bool sawReasoning = false; // some servers send the same text as both reasoning_content and reasoning
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    WriteTextDelta(output, BlockKind.Text, reader.ValueSpan);
                }
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0 && !sawReasoning)
                {
                    sawReasoning = true;
                    WriteTextDelta(output, BlockKind.Thinking, reader.ValueSpan);
                }
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("reasoning_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject) ReadReasoningDetail(ref reader, output);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                int position = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadToolCall(ref reader, data, position++, output);
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>
    /// A <c>reasoning_details</c> entry: a Responses upstream's encrypted reasoning item signs the open thinking block
    /// (an empty one when the item had no summary), so it comes back to a Responses upstream on the next turn
    /// (<see cref="Responses.ResponsesUpstreamWire"/>). Other providers' entries mean nothing to Anthropic clients.
    /// </summary>
    private void ReadReasoningDetail(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        bool encrypted = false, ours = false;
        string? id = null, data = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8)) { reader.Read(); encrypted = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(Responses.ResponsesUpstreamWire.EncryptedType); reader.Skip(); }
            else if (reader.ValueTextEquals("format"u8)) { reader.Read(); ours = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(Responses.ResponsesUpstreamWire.EncryptedFormatUtf8); reader.Skip(); }
            else if (reader.ValueTextEquals("id"u8)) { reader.Read(); id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; reader.Skip(); }
            else if (reader.ValueTextEquals("data"u8)) { reader.Read(); data = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; reader.Skip(); }
            else { reader.Read(); reader.Skip(); }
        }
        if (!encrypted || !ours || string.IsNullOrEmpty(data)) return;
        if (_open != BlockKind.Thinking || _thinkingSigned) OpenTextBlock(output, BlockKind.Thinking);
        string signature = Responses.ResponsesUpstreamWire.ToSignature(id ?? "", data);
        _events.SignatureDelta(output, default, JsonEncodedText.Encode(signature, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes);
        _thinkingSigned = true;
    }

    private void ReadToolCall(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, int position, IBufferWriter<byte> output)
    {
        int index = position; // a few servers omit "index"; their calls come whole, in order
        string? id = null, name = null;
        ReadOnlySpan<byte> arguments = default;
        bool argumentsAreRawJson = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number) index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) id = reader.GetString();
            }
            else if (reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String) name = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("arguments"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            arguments = reader.ValueSpan;
                        }
                        else if (reader.TokenType is JsonTokenType.StartObject)
                        {
                            // A few servers send the arguments as an object rather than a string.
                            int start = (int)reader.TokenStartIndex;
                            reader.Skip();
                            arguments = data[start..(int)reader.BytesConsumed];
                            argumentsAreRawJson = true;
                        }
                    }
                    else reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (argumentsAreRawJson)
        {
            arguments = JsonEncodedText.Encode(arguments, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes;
        }
        OnToolFragment(index, id, name, arguments, output);
    }

    private void OnToolFragment(int openAIIndex, string? id, string? name, ReadOnlySpan<byte> escapedArguments, IBufferWriter<byte> output)
    {
        ToolCall? call = null;
        foreach (ToolCall c in _toolCalls)
        {
            if (c.OpenAIIndex == openAIIndex) { call = c; break; }
        }

        if (call is null)
        {
            call = new ToolCall(openAIIndex, ToolCallIds.ToAnthropic(id), ToolNameMap.ToClient(_toolNames, name ?? ""));
            _toolCalls.Add(call);
            if (_openTool is { } open && !open.Arguments.IsComplete)
            {
                call.State = ToolState.Pending; // interleaved: wait for the open call to complete
            }
            else
            {
                OpenToolBlock(call, output);
            }
        }
        else if (call.Name.Length == 0 && name is not null)
        {
            call.Name = ToolNameMap.ToClient(_toolNames, name);
        }

        if (escapedArguments.IsEmpty) return;
        switch (call.State)
        {
            case ToolState.Open:
                call.Arguments.Append(escapedArguments);
                _events.InputJsonDelta(output, escapedArguments);
                if (call.Arguments.IsComplete) StartPendingToolCalls(output, drainAll: false);
                break;
            case ToolState.Pending:
                call.Arguments.Append(escapedArguments);
                SseWriter.Raw(call.Buffered ??= new ArrayBufferWriter<byte>(256), escapedArguments);
                break;
            case ToolState.Closed:
                // Its block is already stopped (the upstream went back to it after text): nothing valid can carry it.
                break;
        }
    }

    /// <summary>
    /// Emits buffered tool calls, in the order they started. Unless draining, the last one stays open if its arguments
    /// are still incomplete, so its next fragments stream directly.
    /// </summary>
    private void StartPendingToolCalls(IBufferWriter<byte> output, bool drainAll)
    {
        foreach (ToolCall call in _toolCalls)
        {
            if (call.State != ToolState.Pending) continue;
            OpenToolBlock(call, output);
            if (call.Buffered is { WrittenCount: > 0 } buffered)
            {
                _events.InputJsonDelta(output, buffered.WrittenSpan);
                call.Buffered = null;
            }
            if (!drainAll && !call.Arguments.IsComplete) return;
        }
        if (drainAll) CloseBlock(output);
    }

    private void OpenToolBlock(ToolCall call, IBufferWriter<byte> output)
    {
        EnsureStarted(output);
        CloseBlock(output);
        call.State = ToolState.Open;
        _openTool = call;
        _open = BlockKind.Tool;
        _events.ToolUseBlockStart(output, call.Id, call.Name);
    }

    /// <summary>A text or thinking delta: the hot path.</summary>
    private void WriteTextDelta(IBufferWriter<byte> output, BlockKind kind, ReadOnlySpan<byte> escapedText)
    {
        if (_open != kind || _thinkingSigned && kind == BlockKind.Thinking) OpenTextBlock(output, kind);
        _events.TextDelta(output, thinking: kind == BlockKind.Thinking, escapedText);
    }

    private void OpenTextBlock(IBufferWriter<byte> output, BlockKind kind)
    {
        EnsureStarted(output);
        // Text after tool calls: every call is finished from the client's point of view (buffered ones included).
        if (_open == BlockKind.Tool) StartPendingToolCalls(output, drainAll: true);
        CloseBlock(output);
        _open = kind;
        _thinkingSigned = false;
        _events.TextBlockStart(output, thinking: kind == BlockKind.Thinking);
    }

    private void CloseBlock(IBufferWriter<byte> output)
    {
        if (_open == BlockKind.None) return;
        if (_openTool is { } tool)
        {
            tool.State = ToolState.Closed;
            _openTool = null;
        }
        _open = BlockKind.None;
        _events.BlockStop(output);
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        _events.MessageStart(output, _messageId ?? "msg_" + ToolCallIds.RandomSuffix(), _model, new TokenUsage(_estimatedInputTokens ?? 0, 0, 0));
    }

    private void Finish(IBufferWriter<byte> output)
    {
        EnsureStarted(output);
        StartPendingToolCalls(output, drainAll: true);
        CloseBlock(output);

        bool sawToolCalls = _toolCalls.Count > 0;
        string stopReason = _finishReason switch
        {
            FinishReason.Length => "max_tokens",
            FinishReason.ContentFilter => "refusal",
            FinishReason.ToolCalls => sawToolCalls ? "tool_use" : "end_turn", // a client waits for tools that never came
            _ => sawToolCalls ? "tool_use" : "end_turn",
        };

        _events.MessageEnd(output, stopReason, _usage);
        _finished = true;
    }

    private void WriteErrorFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> anthropicErrorJson)
    {
        AnthropicEventWriter.Error(output, anthropicErrorJson);
        _finished = true;
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        long? prompt = null, completion = null, cached = null, reasoning = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8)) prompt = ReadLong(ref reader);
            else if (reader.ValueTextEquals("completion_tokens"u8)) completion = ReadLong(ref reader);
            else if (reader.ValueTextEquals("prompt_cache_hit_tokens"u8)) cached ??= ReadLong(ref reader);
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8)) cached = ReadLong(ref reader);
                    else reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("reasoning_tokens"u8)) reasoning = ReadLong(ref reader);
                    else reader.Skip();
                }
            }
            else reader.Skip();
        }
        _usage = new TokenUsage(prompt ?? _usage.InputTokens, completion ?? _usage.OutputTokens, cached ?? _usage.CachedInputTokens, null, reasoning ?? _usage.ReasoningTokens);
    }

    private static long? ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) ? v : null;
    }
}
