using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocols.Translation;

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
public sealed class GeminiToOpenAIStream : GeminiStreamReader
{
    private readonly string _model;
    private readonly bool _includeUsage;
    private readonly string? _completionId;
    private readonly long _created;
    private readonly ToolNameMap? _toolNames;
    private readonly ReusableJsonWriter _json = new();

    private byte[]? _chunkPrefix;
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
        _model = model;
        _includeUsage = includeUsage;
        _completionId = completionId;
        _created = created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _toolNames = toolNames;
    }

    private protected override void OnChunkStart(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        WritePrefix(output);
        SseWriter.Raw(output, "\"role\":\"assistant\",\"content\":\"\""u8);
        WriteOpenSuffix(output);
    }

    private protected override void OnPart(scoped in GeminiPart part, IBufferWriter<byte> output)
    {
        // Only a function call's signature can reach Gemini again (in its id); it may arrive on an earlier part.
        if (part.Signature is not null) _pendingSignature = part.Signature;

        if (part.Thought)
        {
            if (!part.EscapedText.IsEmpty) WriteDelta(output, "\"reasoning_content\":\""u8, part.EscapedText);
            return;
        }
        if (part.CallName is not null)
        {
            string id = GeminiWire.OpenAIToolId(part.CallId ?? GeminiWire.ToolIdBase("call_", ResponseId!, _toolCount), _pendingSignature);
            _pendingSignature = null;
            WritePrefix(output);
            SseWriter.Raw(output, "\"tool_calls\":[{\"index\":"u8);
            SseWriter.Number(output, _toolCount++);
            SseWriter.Raw(output, ",\"id\":"u8);
            SseWriter.QuotedEscaped(output, Escape(id));
            SseWriter.Raw(output, ",\"type\":\"function\",\"function\":{\"name\":"u8);
            SseWriter.QuotedEscaped(output, Escape(ToolNameMap.ToClient(_toolNames, part.CallName)));
            SseWriter.Raw(output, ",\"arguments\":\""u8);
            SseWriter.Raw(output, EscapeArguments(part.CallArgs));
            SseWriter.Raw(output, "\"}}]"u8);
            WriteOpenSuffix(output);
            return;
        }
        if (!part.EscapedText.IsEmpty) WriteDelta(output, "\"content\":\""u8, part.EscapedText);
    }

    private void WriteDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> field, ReadOnlySpan<byte> escapedValue)
    {
        WritePrefix(output);
        SseWriter.Raw(output, field);
        SseWriter.Raw(output, escapedValue);
        SseWriter.Raw(output, "\""u8);
        WriteOpenSuffix(output);
    }

    private protected override void Complete(IBufferWriter<byte> output)
    {
        OnChunkStart(output);
        WritePrefix(output);
        SseWriter.Raw(output, "},\"logprobs\":null,\"finish_reason\":\""u8);
        SseWriter.Raw(output, GeminiWire.OpenAIFinishReason(FinishReason, _toolCount > 0) switch
        {
            "length" => "length"u8,
            "tool_calls" => "tool_calls"u8,
            "content_filter" => "content_filter"u8,
            _ => "stop"u8,
        });
        SseWriter.Raw(output, "\"}]}\n\n"u8);

        if (_includeUsage)
        {
            SseWriter.Raw(output, "data: "u8);
            Utf8JsonWriter json = _json.Begin(output);
            json.WriteStartObject();
            json.WriteString("id"u8, Id);
            json.WriteString("object"u8, "chat.completion.chunk"u8);
            json.WriteNumber("created"u8, _created);
            json.WriteString("model"u8, _model);
            json.WriteStartArray("choices"u8);
            json.WriteEndArray();
            UsageMapping.WriteOpenAI(json, CurrentUsage);
            json.WriteEndObject();
            _json.End();
            SseWriter.FrameEnd(output);
        }
        SseWriter.Raw(output, "data: [DONE]\n\n"u8);
        Finished = true;
    }

    private protected override void WriteError(IBufferWriter<byte> output, int status, string message) =>
        WriteErrorFrame(output, ErrorFormats.OpenAI(ErrorFormats.OpenAITypeForStatus(status), message, null));

    private protected override void WriteError(IBufferWriter<byte> output, int status, byte[] upstreamBody) =>
        WriteErrorFrame(output, ErrorFormats.FromUpstream(ApiFormat.OpenAI, status, upstreamBody));

    private static void WriteErrorFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> openAIErrorJson)
    {
        SseWriter.Raw(output, "data: "u8);
        SseWriter.Raw(output, openAIErrorJson);
        SseWriter.Raw(output, "\n\ndata: [DONE]\n\n"u8);
    }

    private string Id => _completionId ?? "chatcmpl-" + (ResponseId ?? ToolCallIds.RandomSuffix());

    private void WritePrefix(IBufferWriter<byte> output)
    {
        if (_chunkPrefix is null)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            SseWriter.Raw(buffer, "data: "u8);
            using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
            {
                json.WriteStartObject();
                json.WriteString("id"u8, Id);
                json.WriteString("object"u8, "chat.completion.chunk"u8);
                json.WriteNumber("created"u8, _created);
                json.WriteString("model"u8, _model);
                json.WriteStartArray("choices"u8);
                json.WriteStartObject();
                json.WriteNumber("index"u8, 0);
                json.WriteStartObject("delta"u8);
                json.WriteNull("x"u8); // placeholder so the writer accepts the open object; cut below
            }
            ReadOnlySpan<byte> written = buffer.WrittenSpan;
            _chunkPrefix = written[..(written.Length - "\"x\":null".Length)].ToArray();
        }
        SseWriter.Raw(output, _chunkPrefix);
    }

    private static void WriteOpenSuffix(IBufferWriter<byte> output) =>
        SseWriter.Raw(output, "},\"logprobs\":null,\"finish_reason\":null}]}\n\n"u8);
}
