using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Anthropic;

/// <summary>
/// Anthropic Messages event stream → OpenAI chat.completion.chunk stream, for an OpenAI client served by an Anthropic
/// upstream.
/// <para>
/// Every chunk shares one id and created time; the first carries delta.role. A tool_use block becomes a tool_calls
/// delta whose index counts tool calls (0, 1, …), not Anthropic blocks; its input_json_delta fragments follow as
/// arguments. Thinking streams as delta.reasoning_content; signatures are dropped. stop_reason becomes finish_reason on
/// a final empty-delta chunk, then the usage chunk (only if the client asked with include_usage), then [DONE].
/// </para>
/// Chunks are built from a per-stream prefix and the upstream's escaped string bytes: a text delta allocates nothing
/// (<see cref="OpenAIChunkWriter"/>).
/// </summary>
internal sealed class AnthropicToOpenAIStream : IStreamTranslator, IOpenAIChunkIdSource
{
    private const string RandomIdPrefix = "chatcmpl-";

    private readonly string? _completionId;
    private readonly OpenAIChunkWriter _chunks;

    private string? _id;
    private bool _finished;
    /// <summary>OpenAI index of the current tool call: tool calls so far, minus one.</summary>
    private int _toolIndex = -1;
    private bool _inToolBlock;
    private string? _stopReason;
    private TokenUsage _usage;

    /// <param name="model">The model name the client sees in every chunk (usually the one it asked for).</param>
    /// <param name="includeUsage">The client sent <c>stream_options.include_usage</c>: add the usage chunk at the end.</param>
    /// <param name="completionId">The chunk id; "chatcmpl-" + the upstream message id when null (tests pin it).</param>
    /// <param name="created">Unix seconds for <c>created</c>; now when null.</param>
    public AnthropicToOpenAIStream(string model, bool includeUsage, string? completionId = null, long? created = null)
    {
        _completionId = completionId;
        _chunks = new OpenAIChunkWriter(this, model, created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), includeUsage);
    }

    public TokenUsage Usage => _usage;

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (_finished) return;
        try
        {
            switch (eventType is null or "message" ? PeekType(data) : eventType)
            {
                case "content_block_delta": OnBlockDelta(data, output); break;
                case "content_block_start": OnBlockStart(data, output); break;
                case "content_block_stop": _inToolBlock = false; break;
                case "message_start": OnMessageStart(data, output); break;
                case "message_delta": OnMessageDelta(data); break;
                case "message_stop": Finish(output); break;
                case "error":
                    WriteErrorAndDone(output, ErrorFormats.FromUpstream(ApiFormat.OpenAI, 500, data));
                    break;
                // ping and unknown events: nothing for the client.
            }
        }
        catch (JsonException)
        {
            // A malformed event carries nothing we could forward.
        }
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        if (_finished) return true;
        // No message_stop: the stream was cut short, whatever stop_reason a message_delta already gave.
        OnFailed(StreamEnd.TruncatedMessage(ApiFormat.Anthropic), output);
        return false;
    }

    public void OnFailed(string message, IBufferWriter<byte> output)
    {
        if (_finished) return;
        WriteErrorAndDone(output, ErrorFormats.OpenAI("server_error", message, null));
    }

    private void OnBlockDelta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (!ReadBlockDelta(data, out var deltaType, out var value)) return;
        if (deltaType.SequenceEqual("text_delta"u8)) _chunks.Content(output, value);
        else if (deltaType.SequenceEqual("thinking_delta"u8)) _chunks.Reasoning(output, value);
        else if (deltaType.SequenceEqual("input_json_delta"u8) && _inToolBlock) _chunks.ToolArguments(output, _toolIndex, value);
        // signature_delta, citations_delta: no OpenAI equivalent.
    }

    /// <summary>
    /// A content_block_delta event's delta: its type and its text, partial_json or thinking value as escaped in
    /// <paramref name="data"/>; false when it has no such value (or it is empty).
    /// </summary>
    internal static bool ReadBlockDelta(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> deltaType, out ReadOnlySpan<byte> value)
    {
        deltaType = default;
        value = default;
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("delta"u8)) { reader.Skip(); continue; }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    deltaType = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("partial_json"u8) || reader.ValueTextEquals("thinking"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) value = reader.ValueSpan;
                }
                else reader.Skip();
            }
            return !value.IsEmpty;
        }
        return false;
    }

    private void OnBlockStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        if (!doc.RootElement.TryGetProperty("content_block"u8, out JsonElement block)) return;
        string? type = Str(block, "type"u8);
        switch (type)
        {
            case "tool_use":
                _toolIndex++;
                _inToolBlock = true;
                _chunks.ToolCallStart(output, _toolIndex, Escape(Str(block, "id"u8) ?? ToolCallIds.NewOpenAIId()),
                    Escape(Str(block, "name"u8) ?? ""), escapedArguments: default);
                break;
            case "text" when Str(block, "text"u8) is { Length: > 0 } text:
                _chunks.Content(output, Escape(text));
                break;
            case "thinking" when Str(block, "thinking"u8) is { Length: > 0 } thinking:
                _chunks.Reasoning(output, Escape(thinking));
                break;
            // server_tool_use, web_search_tool_result, redacted_thinking: run or kept at Anthropic, nothing to stream.
        }
    }

    private void OnMessageStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.TryGetProperty("message"u8, out JsonElement message))
        {
            _id ??= _completionId ?? AnthropicToOpenAIResponse.CompletionId(Str(message, "id"u8));
            if (message.TryGetProperty("usage"u8, out JsonElement usage)) _usage = Merge(_usage, UsageMapping.FromAnthropic(usage));
        }
        _chunks.Role(output);
    }

    private void OnMessageDelta(ReadOnlySpan<byte> data) => ReadMessageDelta(data, ref _stopReason, ref _usage);

    /// <summary>A message_delta event: its stop_reason, and its usage merged into <paramref name="usage"/> (cumulative).</summary>
    internal static void ReadMessageDelta(ReadOnlySpan<byte> data, ref string? stopReason, ref TokenUsage usage)
    {
        var reader = new Utf8JsonReader(data);
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        JsonElement root = doc.RootElement;
        if (root.TryGetProperty("delta"u8, out JsonElement delta) && Str(delta, "stop_reason"u8) is { } stop) stopReason = stop;
        // message_delta usage is cumulative; input counts appear here only on newer API versions.
        if (root.TryGetProperty("usage"u8, out JsonElement update)) usage = Merge(usage, UsageMapping.FromAnthropic(update));
    }

    /// <summary>A usage update over what the stream reported before: the counts it gives replace, the rest stay.</summary>
    internal static TokenUsage Merge(TokenUsage usage, TokenUsage update) => new(
        update.InputTokens ?? usage.InputTokens,
        update.OutputTokens ?? usage.OutputTokens,
        update.CachedInputTokens ?? usage.CachedInputTokens,
        update.CacheWriteTokens ?? usage.CacheWriteTokens);

    private void Finish(IBufferWriter<byte> output)
    {
        _chunks.End(output, StopReasons.ToOpenAI(_stopReason), _usage);
        _finished = true;
    }

    private void WriteErrorAndDone(IBufferWriter<byte> output, ReadOnlySpan<byte> openAIErrorJson)
    {
        OpenAIChunkWriter.ErrorAndDone(output, openAIErrorJson);
        _finished = true;
    }

    string IOpenAIChunkIdSource.ChunkId => _id ??= _completionId ?? RandomIdPrefix + ToolCallIds.RandomSuffix();

    /// <summary>The "type" of an event whose SSE frame had no event: line.</summary>
    internal static string? PeekType(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            reader.Skip();
        }
        return null;
    }

    internal static ReadOnlySpan<byte> Escape(string value) => JsonEncodedText.Encode(value, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes;
}
