using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Gemini;

/// <summary>
/// Gemini streamGenerateContent (SSE) → OpenAI chat.completion.chunk stream.
/// <para>
/// One id ("chatcmpl-" + Gemini's responseId) and created time for every chunk; the first carries delta.role. Text
/// parts → delta.content, thought parts → delta.reasoning_content, a function call (whole in one part) → one
/// tool_calls delta with index, id, name and the complete arguments. At the end: a finish_reason chunk, the usage chunk
/// if the client asked (include_usage), [DONE]. A function call's id carries its thoughtSignature
/// (<see cref="GeminiWire.OpenAIToolId"/>).
/// </para>
/// </summary>
internal sealed class GeminiToOpenAIStream : GeminiStreamReader, IOpenAIChunkIdSource
{
    private readonly string? _completionId;
    private readonly ToolNameMap? _toolNames;
    private readonly OpenAIChunkWriter _chunks;

    private bool _started;
    private int _toolCount;
    private string? _pendingSignature;

    /// <param name="model">The model name the client sees in every chunk.</param>
    /// <param name="includeUsage">The client sent <c>stream_options.include_usage</c>.</param>
    /// <param name="completionId">The chunk id; "chatcmpl-" + Gemini's responseId when null (tests pin it).</param>
    /// <param name="created">Unix seconds for <c>created</c>; now when null.</param>
    /// <param name="toolNames">The map from the request translation, if it shortened tool names.</param>
    public GeminiToOpenAIStream(string model, bool includeUsage, string? completionId = null, long? created = null, ToolNameMap? toolNames = null)
    {
        _completionId = completionId;
        _toolNames = toolNames;
        _chunks = new OpenAIChunkWriter(this, model, created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), includeUsage);
    }

    private protected override void OnChunkStart(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        _chunks.Role(output);
    }

    private protected override void OnPart(scoped in GeminiPart part, IBufferWriter<byte> output)
    {
        // Only a function call's signature can reach Gemini again (in its id); it may arrive on an earlier part.
        if (part.Signature is not null) _pendingSignature = part.Signature;

        if (part.Thought)
        {
            if (!part.EscapedText.IsEmpty) _chunks.Reasoning(output, part.EscapedText);
            return;
        }
        if (part.CallName is not null)
        {
            string id = GeminiWire.OpenAIToolId(part.CallId ?? GeminiWire.ToolIdBase("call_", ResponseId!, _toolCount), _pendingSignature);
            _pendingSignature = null;
            _chunks.ToolCallStart(output, _toolCount++, Escape(id), Escape(ToolNameMap.ToClient(_toolNames, part.CallName)),
                EscapeArguments(part.CallArgs));
            return;
        }
        if (!part.EscapedText.IsEmpty) _chunks.Content(output, part.EscapedText);
    }

    private protected override void Complete(IBufferWriter<byte> output)
    {
        OnChunkStart(output);
        _chunks.End(output, GeminiWire.OpenAIFinishReason(FinishReason, _toolCount > 0), CurrentUsage);
        Finished = true;
    }

    private protected override void WriteError(IBufferWriter<byte> output, int status, string message) =>
        OpenAIChunkWriter.ErrorAndDone(output, ErrorFormats.OpenAI(ErrorFormats.OpenAITypeForStatus(status), message, null));

    private protected override void WriteError(IBufferWriter<byte> output, int status, byte[] upstreamBody) =>
        OpenAIChunkWriter.ErrorAndDone(output, ErrorFormats.FromUpstream(ApiFormat.OpenAI, status, upstreamBody));

    // Not cached: when the first event had no responseId, the usage chunk still gets one that came later.
    string IOpenAIChunkIdSource.ChunkId => _completionId ?? "chatcmpl-" + (ResponseId ?? ToolCallIds.RandomSuffix());
}
