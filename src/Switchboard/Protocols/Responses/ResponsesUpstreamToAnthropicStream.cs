using System.Buffers;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// An OpenAI Responses stream → an Anthropic Messages event stream, through the Chat form: the Responses reader writes
/// chat.completion.chunk frames into a buffer this translator owns, and each frame goes on to
/// <see cref="OpenAIToAnthropicStream"/> (block order, tool calls, thinking and stop reasons by its one set of rules). A
/// reasoning item's encrypted content reaches it as a <c>reasoning_details</c> delta and becomes the thinking block's
/// signature (<see cref="ResponsesUpstreamWire"/>). The buffer is reused: nothing is allocated per event.
/// </summary>
internal sealed class ResponsesUpstreamToAnthropicStream : IStreamTranslator
{
    private readonly ResponsesUpstreamStreamReader _chat;
    private readonly OpenAIToAnthropicStream _anthropic;
    private readonly ArrayBufferWriter<byte> _frames = new(4096);
    private bool _failed;

    public ResponsesUpstreamToAnthropicStream(string model, string? messageId = null, long? estimatedInputTokens = null, ToolNameMap? toolNames = null)
    {
        _chat = new ResponsesUpstreamStreamReader(model, includeUsage: true, completionId: "chatcmpl-pivot", created: 0);
        _anthropic = new OpenAIToAnthropicStream(model, messageId, estimatedInputTokens, toolNames);
    }

    public TokenUsage Usage => _chat.Usage;

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        _chat.OnEvent(eventType, data, _frames);
        Forward(output);
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        bool finished = _chat.OnCompleted(_frames);
        Forward(output);
        if (!_failed) _anthropic.OnCompleted(output);
        return finished;
    }

    public void OnFailed(string message, IBufferWriter<byte> output)
    {
        _chat.OnFailed(message, _frames);
        Forward(output);
    }

    /// <summary>Hands each buffered <c>data: …\n\n</c> frame's payload to the Anthropic translator.</summary>
    private void Forward(IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> frames = _frames.WrittenSpan;
        while (!frames.IsEmpty)
        {
            int end = frames.IndexOf("\n\n"u8);
            ReadOnlySpan<byte> frame = end < 0 ? frames : frames[..end];
            frames = end < 0 ? default : frames[(end + 2)..];
            if (_failed || !frame.StartsWith("data: "u8)) continue;
            ReadOnlySpan<byte> data = frame[6..];
            if (data.StartsWith("{\"error\""u8))
            {
                // The stream's error, with the status its code stands for (a rate limit stays a rate_limit_error); nothing follows it.
                AnthropicEventWriter.Error(output, ErrorFormats.FromUpstream(ApiFormat.Anthropic, _chat.ErrorStatus, data));
                _failed = true;
                continue;
            }
            _anthropic.OnEvent(null, data, output);
        }
        _frames.ResetWrittenCount();
    }
}
