using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// An OpenAI Responses stream (SSE, one typed event per <c>data:</c>) → an OpenAI chat.completion.chunk stream.
/// <para>
/// response.created: the stream head (role chunk; the chunk id is "chatcmpl-" + the response id).
/// response.output_text.delta / refusal.delta → delta.content; response.reasoning_summary_text.delta (and
/// reasoning_text.delta) → delta.reasoning_content, summary parts a blank line apart; a function_call item
/// (output_item.added) → a tool_calls delta with index, call_id and name, then its function_call_arguments.delta
/// fragments (the whole arguments from output_item.done when no fragment came). A reasoning item's encrypted_content
/// (output_item.done) → a delta with a <c>reasoning_details</c> entry (<see cref="ResponsesUpstreamWire"/>).
/// response.completed / response.incomplete: finish_reason (incomplete → length), the usage chunk if asked, [DONE].
/// response.failed and error events: an error chunk with the upstream's message, then [DONE]. A stream that ends
/// without any of those was cut short and ends with an error chunk (<see cref="StreamEnd"/>).
/// </para>
/// Each event is read in one <see cref="Utf8JsonReader"/> pass; text and argument fragments are copied as the
/// upstream escaped them, so a delta event allocates nothing.
/// </summary>
internal sealed class ResponsesUpstreamStreamReader : IStreamTranslator, IOpenAIChunkIdSource
{
    private enum EventKind : byte
    {
        Other, Created, TextDelta, ReasoningDelta, ArgumentsDelta, ItemAdded, ItemDone, Completed, Incomplete, Failed, Error,
    }

    /// <summary>A function call of the response: its output_index upstream, its tool_calls index for the client.</summary>
    private struct ToolSlot
    {
        public int OutputIndex;
        public bool SawArguments;
    }

    private readonly OpenAIChunkWriter _chunks;
    private readonly string? _completionId;
    private ToolSlot[] _tools = [];
    private int _toolCount;
    private int _reasoningDetails;
    private long _reasoningPart = -1;
    private bool _reasoningWritten;
    private string? _responseId;
    private bool _started;
    private bool _finished;
    private TokenUsage _usage;

    /// <param name="model">The model name the client sees in every chunk.</param>
    /// <param name="includeUsage">The client sent <c>stream_options.include_usage</c> (the Anthropic pivot always does).</param>
    /// <param name="completionId">The chunk id; "chatcmpl-" + the response id when null (tests pin it).</param>
    /// <param name="created">Unix seconds for <c>created</c>; now when null.</param>
    public ResponsesUpstreamStreamReader(string model, bool includeUsage, string? completionId = null, long? created = null)
    {
        _completionId = completionId;
        _chunks = new OpenAIChunkWriter(this, model, created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), includeUsage);
    }

    public TokenUsage Usage => _usage;

    /// <summary>The HTTP status the stream's error stands for (500 unless the upstream's error code says otherwise).</summary>
    public int ErrorStatus { get; private set; } = 500;

    string IOpenAIChunkIdSource.ChunkId => _completionId ?? "chatcmpl-" + (_responseId ??= "resp_" + ToolCallIds.RandomSuffix());

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (_finished) return;
        try
        {
            Read(data, output);
        }
        catch (JsonException)
        {
            // A malformed event carries nothing we could forward; the stream's end says whether it finished.
        }
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        if (_finished) return true;
        OnFailed(StreamEnd.TruncatedMessage(ApiFormat.Responses), output);
        return false;
    }

    public void OnFailed(string message, IBufferWriter<byte> output)
    {
        if (_finished) return;
        OpenAIChunkWriter.ErrorAndDone(output, ErrorFormats.OpenAI(ErrorFormats.OpenAITypeForStatus(500), message, null));
        _finished = true;
    }

    private void Read(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        EventKind kind = EventKind.Other;
        ReadOnlySpan<byte> delta = default, code = default, message = default;
        int outputIndex = -1, summaryIndex = 0, objectStart = -1, objectEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = Kind(ref reader);
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) delta = reader.ValueSpan;
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("output_index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number) outputIndex = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("summary_index"u8) || reader.ValueTextEquals("content_index"u8) && kind == EventKind.ReasoningDelta)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number) summaryIndex = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("item"u8) || reader.ValueTextEquals("response"u8))
            {
                // Read after the pass, when the event's type is known.
                reader.Read();
                objectStart = (int)reader.TokenStartIndex;
                reader.Skip();
                objectEnd = (int)reader.BytesConsumed;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                // Some servers nest the error event's fields: {"type":"error","error":{"code":…,"message":…}}.
                ReadErrorObject(ref reader, ref code, ref message);
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) code = reader.ValueSpan;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) message = reader.ValueSpan;
                else reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        ReadOnlySpan<byte> obj = objectStart >= 0 ? data[objectStart..objectEnd] : default;

        switch (kind)
        {
            case EventKind.Created:
                if (_responseId is null && !obj.IsEmpty) _responseId = StringProperty(obj, "id"u8);
                EnsureStarted(output);
                break;
            case EventKind.TextDelta when !delta.IsEmpty:
                EnsureStarted(output);
                _chunks.Content(output, delta);
                break;
            case EventKind.ReasoningDelta when !delta.IsEmpty:
                EnsureStarted(output);
                long part = ((long)outputIndex << 32) | (uint)summaryIndex;
                if (_reasoningWritten && part != _reasoningPart) _chunks.Reasoning(output, "\\n\\n"u8);
                _reasoningPart = part;
                _reasoningWritten = true;
                _chunks.Reasoning(output, delta);
                break;
            case EventKind.ArgumentsDelta when !delta.IsEmpty:
                if (FindTool(outputIndex) is int slot)
                {
                    _tools[slot].SawArguments = true;
                    _chunks.ToolArguments(output, slot, delta);
                }
                break;
            case EventKind.ItemAdded or EventKind.ItemDone when !obj.IsEmpty:
                EnsureStarted(output);
                OnItem(obj, outputIndex, done: kind == EventKind.ItemDone, output);
                break;
            case EventKind.Completed or EventKind.Incomplete:
                EnsureStarted(output);
                Finish(obj, output);
                break;
            case EventKind.Failed:
                WriteError(obj.IsEmpty ? default : ErrorOf(obj, out code), code, output);
                break;
            case EventKind.Error:
                WriteError(message, code, output);
                break;
        }
    }

    private static EventKind Kind(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return EventKind.Other;
        if (reader.ValueTextEquals("response.output_text.delta"u8) || reader.ValueTextEquals("response.refusal.delta"u8)) return EventKind.TextDelta;
        if (reader.ValueTextEquals("response.function_call_arguments.delta"u8)) return EventKind.ArgumentsDelta;
        if (reader.ValueTextEquals("response.reasoning_summary_text.delta"u8) || reader.ValueTextEquals("response.reasoning_text.delta"u8)) return EventKind.ReasoningDelta;
        if (reader.ValueTextEquals("response.output_item.added"u8)) return EventKind.ItemAdded;
        if (reader.ValueTextEquals("response.output_item.done"u8)) return EventKind.ItemDone;
        if (reader.ValueTextEquals("response.created"u8) || reader.ValueTextEquals("response.in_progress"u8)) return EventKind.Created;
        if (reader.ValueTextEquals("response.completed"u8)) return EventKind.Completed;
        if (reader.ValueTextEquals("response.incomplete"u8)) return EventKind.Incomplete;
        if (reader.ValueTextEquals("response.failed"u8)) return EventKind.Failed;
        if (reader.ValueTextEquals("error"u8)) return EventKind.Error;
        return EventKind.Other;
    }

    /// <summary>An output item, added (its head) or done (whole).</summary>
    private void OnItem(ReadOnlySpan<byte> item, int outputIndex, bool done, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(item);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        ReadOnlySpan<byte> type = default, id = default, callId = default, name = default, arguments = default, encrypted = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref ReadOnlySpan<byte> target = ref type;
            bool wanted = true;
            if (reader.ValueTextEquals("type"u8)) target = ref type;
            else if (reader.ValueTextEquals("id"u8)) target = ref id;
            else if (reader.ValueTextEquals("call_id"u8)) target = ref callId;
            else if (reader.ValueTextEquals("name"u8)) target = ref name;
            else if (reader.ValueTextEquals("arguments"u8)) target = ref arguments;
            else if (reader.ValueTextEquals("encrypted_content"u8)) target = ref encrypted;
            else wanted = false;
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String) target = reader.ValueSpan;
            else reader.Skip();
        }

        if (type.SequenceEqual("function_call"u8))
        {
            if (FindTool(outputIndex) is int slot)
            {
                // Servers that send no argument fragments give them whole here.
                if (done && !_tools[slot].SawArguments && !arguments.IsEmpty)
                {
                    _tools[slot].SawArguments = true;
                    _chunks.ToolArguments(output, slot, arguments);
                }
                return;
            }
            slot = AddTool(outputIndex);
            _tools[slot].SawArguments = !arguments.IsEmpty;
            _chunks.ToolCallStart(output, slot, callId.IsEmpty ? id : callId, name, arguments);
        }
        else if (done && type.SequenceEqual("reasoning"u8) && !encrypted.IsEmpty)
        {
            _chunks.BeginDelta(output);
            SseWriter.Raw(output, "\"reasoning_details\":[{\"type\":\"reasoning.encrypted\",\"id\":"u8);
            SseWriter.QuotedEscaped(output, id);
            SseWriter.Raw(output, ",\"data\":"u8);
            SseWriter.QuotedEscaped(output, encrypted);
            SseWriter.Raw(output, ",\"format\":\""u8);
            SseWriter.Raw(output, ResponsesUpstreamWire.EncryptedFormatUtf8);
            SseWriter.Raw(output, "\",\"index\":"u8);
            SseWriter.Number(output, _reasoningDetails++);
            SseWriter.Raw(output, "}]"u8);
            OpenAIChunkWriter.EndDelta(output);
        }
    }

    private int? FindTool(int outputIndex)
    {
        for (int i = 0; i < _toolCount; i++)
        {
            if (_tools[i].OutputIndex == outputIndex) return i;
        }
        return null;
    }

    private int AddTool(int outputIndex)
    {
        if (_toolCount == _tools.Length) Array.Resize(ref _tools, Math.Max(4, _toolCount * 2));
        _tools[_toolCount] = new ToolSlot { OutputIndex = outputIndex };
        return _toolCount++;
    }

    /// <summary>response.completed / response.incomplete: finish_reason, usage, [DONE].</summary>
    private void Finish(ReadOnlySpan<byte> response, IBufferWriter<byte> output)
    {
        string? status = null, incompleteReason = null;
        if (!response.IsEmpty)
        {
            using JsonDocument document = JsonDocument.Parse(response.ToArray()); // once per stream
            JsonElement root = document.RootElement;
            status = root.TryGetProperty("status"u8, out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (root.TryGetProperty("incomplete_details"u8, out JsonElement details) && details.ValueKind == JsonValueKind.Object
                && details.TryGetProperty("reason"u8, out JsonElement reason) && reason.ValueKind == JsonValueKind.String)
                incompleteReason = reason.GetString();
            if (root.TryGetProperty("usage"u8, out JsonElement usage)) _usage = ResponsesUpstreamResponse.ReadUsage(usage, out _);
        }
        _chunks.End(output, ResponsesUpstreamWire.FinishReason(status, incompleteReason, _toolCount > 0), _usage);
        _finished = true;
    }

    /// <summary>response.failed's <c>response.error</c>: its message (escaped), its code through <paramref name="code"/>.</summary>
    private static ReadOnlySpan<byte> ErrorOf(ReadOnlySpan<byte> response, out ReadOnlySpan<byte> code)
    {
        ReadOnlySpan<byte> errorCode = default, message = default;
        var reader = new Utf8JsonReader(response);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8)) ReadErrorObject(ref reader, ref errorCode, ref message);
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        code = errorCode;
        return message;
    }

    /// <summary>The value of an <c>error</c> property: its code and message (escaped), when it is an object.</summary>
    private static void ReadErrorObject(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> code, ref ReadOnlySpan<byte> message)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isCode = reader.ValueTextEquals("code"u8), isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && isCode) code = reader.ValueSpan;
            else if (reader.TokenType == JsonTokenType.String && isMessage) message = reader.ValueSpan;
            else reader.Skip();
        }
    }

    /// <summary>An error the upstream reported in its stream, as the client's error chunk with a status-like type.</summary>
    private void WriteError(ReadOnlySpan<byte> escapedMessage, ReadOnlySpan<byte> escapedCode, IBufferWriter<byte> output)
    {
        string? code = escapedCode.IsEmpty ? null : JsonUnescape(escapedCode);
        string message = escapedMessage.IsEmpty ? "the upstream's response failed" : JsonUnescape(escapedMessage);
        ErrorStatus = ResponsesUpstreamWire.StatusForCode(code);
        OpenAIChunkWriter.ErrorAndDone(output, ErrorFormats.OpenAI(ErrorFormats.OpenAITypeForStatus(ErrorStatus), message, code));
        _finished = true;
    }

    private static string JsonUnescape(ReadOnlySpan<byte> escaped)
    {
        Span<byte> quoted = escaped.Length + 2 <= 1024 ? stackalloc byte[escaped.Length + 2] : new byte[escaped.Length + 2];
        quoted[0] = (byte)'"';
        escaped.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }

    private static string? StringProperty(ReadOnlySpan<byte> obj, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(obj);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String) return reader.GetString();
            reader.Skip();
        }
        return null;
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        _chunks.Role(output);
    }
}
