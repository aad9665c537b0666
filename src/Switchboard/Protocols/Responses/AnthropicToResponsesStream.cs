using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// An Anthropic Messages event stream → the Responses API's events, in one step: each Anthropic event is read once and
/// handed to the Responses events writer (<see cref="ChatStreamToResponsesEvents"/>) as what it means (a text delta,
/// a tool call's start or arguments, the end with its usage), where the pivot wrote a Chat chunk for it, parsed that
/// again and read it back (<see cref="AnthropicToOpenAIStream"/> → <see cref="ChainedStreamTranslator"/>). The
/// events are the same: tool calls count from 0 as Chat's index does, thinking is the reasoning summary, signatures
/// are dropped, a malformed event is skipped, an <c>error</c> event or a missing message_stop ends in response.failed.
/// </summary>
internal sealed class AnthropicToResponsesStream(string model, ResponsesToolMap? tools) : IStreamTranslator
{
    private readonly ChatStreamToResponsesEvents _events = new(model, tools);
    private bool _finished;
    /// <summary>The current tool call's index: tool calls so far, minus one.</summary>
    private int _toolIndex = -1;
    private bool _inToolBlock;
    private string? _stopReason;
    private TokenUsage _usage;

    /// <summary>The Responses events writer (for the response state store).</summary>
    public ChatStreamToResponsesEvents Events => _events;

    /// <summary>The usage the response reports, with Anthropic's cache writes; Anthropic's own while the response has none.</summary>
    public TokenUsage Usage => _events.Usage is { InputTokens: null, OutputTokens: null } ? _usage : _events.Usage with { CacheWriteTokens = _usage.CacheWriteTokens };

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (_finished) return;
        try
        {
            switch (eventType is null or "message" ? AnthropicToOpenAIStream.PeekType(data) : eventType)
            {
                case "content_block_delta": OnBlockDelta(data, output); break;
                case "content_block_start": OnBlockStart(data, output); break;
                case "content_block_stop": _inToolBlock = false; break;
                case "message_start": OnMessageStart(data, output); break;
                case "message_delta": OnMessageDelta(data); break;
                case "message_stop":
                    _events.End(StopReasons.ToOpenAI(_stopReason), _usage.InputTokens ?? 0, _usage.OutputTokens ?? 0, _usage.CachedInputTokens ?? 0, output);
                    _finished = true;
                    break;
                case "error":
                    // Rare: the error in the Chat form the events writer already reads (its message, its code).
                    _events.OnEvent(null, ErrorFormats.FromUpstream(ApiFormat.OpenAI, 500, data), output);
                    _finished = true;
                    break;
                // ping and unknown events: nothing for the client.
            }
        }
        catch (JsonException ex) when (ex is not TranslationException)
        {
            // A malformed event carries nothing we could forward.
        }
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        if (_finished) return true;
        // No message_stop: the stream was cut short, whatever stop_reason a message_delta already gave.
        _events.OnFailed(StreamEnd.TruncatedMessage(ApiFormat.Anthropic), output);
        return false;
    }

    public void OnFailed(string message, IBufferWriter<byte> output) => _events.OnFailed(message, output);

    private void OnBlockDelta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (!AnthropicToOpenAIStream.ReadBlockDelta(data, out var deltaType, out var value)) return;
        if (deltaType.SequenceEqual("text_delta"u8)) _events.Text(value, output);
        else if (deltaType.SequenceEqual("thinking_delta"u8)) _events.Reasoning(value, output);
        else if (deltaType.SequenceEqual("input_json_delta"u8) && _inToolBlock) _events.ToolCall(_toolIndex, null, null, value, output);
        // signature_delta, citations_delta: nothing in the Responses events.
    }

    private void OnBlockStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        if (!document.RootElement.TryGetProperty("content_block"u8, out var block)) return;
        switch (Str(block, "type"u8))
        {
            case "tool_use":
                _toolIndex++;
                _inToolBlock = true;
                _events.ToolCall(_toolIndex, Str(block, "id"u8) ?? ToolCallIds.NewOpenAIId(), Str(block, "name"u8) ?? "", default, output);
                break;
            case "text" when Str(block, "text"u8) is { Length: > 0 } text:
                _events.Text(AnthropicToOpenAIStream.Escape(text), output);
                break;
            case "thinking" when Str(block, "thinking"u8) is { Length: > 0 } thinking:
                _events.Reasoning(AnthropicToOpenAIStream.Escape(thinking), output);
                break;
            // server_tool_use, web_search_tool_result, redacted_thinking: run or kept at Anthropic, nothing to stream.
        }
    }

    private void OnMessageStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.TryGetProperty("message"u8, out var message) && message.TryGetProperty("usage"u8, out var usage))
            _usage = AnthropicToOpenAIStream.Merge(_usage, UsageMapping.FromAnthropic(usage));
        _events.Begin(output);
    }

    private void OnMessageDelta(ReadOnlySpan<byte> data) => AnthropicToOpenAIStream.ReadMessageDelta(data, ref _stopReason, ref _usage);
}
