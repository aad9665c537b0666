using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// A Chat completion chunk stream (from an OpenAI-compatible upstream, or from the Anthropic/Gemini → Chat stream
/// translators) → the Responses API's event stream: response.created and .in_progress first; per output item
/// output_item.added, its deltas (output_text, reasoning_summary_text, function_call_arguments, custom_tool_call_input)
/// and their .done events, output_item.done; at the end response.completed (or .incomplete for length and content
/// filter) with the whole response and its usage, or response.failed. Every event carries <c>sequence_number</c>.
/// <para>
/// Text and argument deltas copy the upstream's escaped string bytes between fixed byte literals (no allocation per
/// chunk); the unescaped text is kept per item, because the .done events and the final response repeat it whole.
/// </para>
/// </summary>
internal sealed class ChatStreamToResponsesEvents : IStreamTranslator
{
    private readonly string _model;
    private readonly ResponsesToolMap? _tools;
    private readonly string _responseId;
    private readonly long _createdAt;
    private readonly List<OutputItem> _items = new(4);
    private readonly List<(int Index, OutputItem Item)> _calls = new(2);
    private OutputItem? _message;
    private OutputItem? _reasoning;
    private Utf8JsonWriter? _json;
    private byte[] _unescaped = new byte[256];
    private long _sequence;
    private bool _started, _sawEnd, _finished;
    private string? _finishReason;
    private ResponsesUsage _usage;

    /// <param name="model">The model name the client sees.</param>
    /// <param name="tools">From the request translation: which functions stand for custom or namespace tools.</param>
    /// <param name="responseId">The response id (tests pin it); a new one when null.</param>
    public ChatStreamToResponsesEvents(string model, ResponsesToolMap? tools, string? responseId = null, long? createdAt = null)
    {
        _model = model;
        _tools = tools;
        _responseId = responseId ?? ResponsesWire.NewResponseId();
        _createdAt = createdAt ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public string ResponseId => _responseId;

    /// <summary>The finished output items (for the response state store); valid after the stream completed.</summary>
    public IReadOnlyList<OutputItem> Items => _items;

    public TokenUsage Usage => _usage.ToTokenUsage();

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (_finished) return;
        Start(output);
        if (data.SequenceEqual("[DONE]"u8))
        {
            _sawEnd = true;
            Finish(output);
            return;
        }
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new TranslationException("a chunk must be a JSON object.");
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0) break;
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                var first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (first && reader.TokenType == JsonTokenType.StartObject) ReadChoice(ref reader, output);
                    else reader.Skip();
                    first = false; // choice 0 only: the gateway asks for one
                }
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
                var message = ErrorMessage(ref reader);
                Fail(message ?? "the upstream sent an error in its stream.", output);
                return;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        if (_finished) return true;
        Start(output);
        if (!_sawEnd)
        {
            Fail(StreamEnd.TruncatedMessage(ApiFormat.OpenAI), output);
            return false;
        }
        Finish(output);
        return true;
    }

    public void OnFailed(string message, IBufferWriter<byte> output)
    {
        if (_finished) return;
        Start(output);
        Fail(message, output);
    }

    // ---- fed directly by another protocol's stream reader (AnthropicToResponsesStream), no Chat chunk between ----

    /// <summary>The stream has begun: response.created and .in_progress, once.</summary>
    internal void Begin(IBufferWriter<byte> output)
    {
        if (!_finished) Start(output);
    }

    /// <summary>A text delta, as the upstream escaped it (the content of a JSON string).</summary>
    internal void Text(ReadOnlySpan<byte> escaped, IBufferWriter<byte> output)
    {
        if (_finished) return;
        Start(output);
        if (!escaped.IsEmpty) OnText(escaped, escaped.Contains((byte)'\\'), output);
    }

    /// <summary>A reasoning (thinking) delta, as the upstream escaped it.</summary>
    internal void Reasoning(ReadOnlySpan<byte> escaped, IBufferWriter<byte> output)
    {
        if (_finished) return;
        Start(output);
        if (!escaped.IsEmpty) OnReasoning(escaped, escaped.Contains((byte)'\\'), output);
    }

    /// <summary>Tool call <paramref name="index"/>: its start (id and name) the first time, then argument text as the upstream escaped it.</summary>
    internal void ToolCall(int index, string? id, string? name, ReadOnlySpan<byte> escapedArguments, IBufferWriter<byte> output)
    {
        if (_finished) return;
        Start(output);
        OnToolCall(index, id, name, escapedArguments, escapedArguments.Contains((byte)'\\'), output);
    }

    /// <summary>The upstream finished (a Chat finish_reason) with this usage: the closing events.</summary>
    internal void End(string finishReason, long inputTokens, long outputTokens, long cachedTokens, IBufferWriter<byte> output)
    {
        if (_finished) return;
        Start(output);
        _finishReason = finishReason;
        _usage.InputTokens = inputTokens;
        _usage.OutputTokens = outputTokens;
        _usage.CachedTokens = cachedTokens;
        _sawEnd = true;
        Finish(output);
    }

    // ---- reading a chunk ----------------------------------------------------------------------------------

    private void ReadChoice(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1) continue;
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReadDelta(ref reader, output);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    _finishReason = FinishReason(ref reader);
                    _sawEnd = true;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1) continue;
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0) OnText(reader.ValueSpan, reader.ValueIsEscaped, output);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0) OnReasoning(reader.ValueSpan, reader.ValueIsEscaped, output);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.StartObject) ReadToolCall(ref reader, output);
                    else reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadToolCall(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        var depth = reader.CurrentDepth;
        var index = 0;
        string? id = null, name = null;
        ReadOnlySpan<byte> arguments = default;
        var argumentsEscaped = false;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number) reader.TryGetInt32(out index);
            }
            else if (reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) id = reader.GetString();
            }
            else if (reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) name = reader.GetString();
            }
            else if (reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    arguments = reader.ValueSpan;
                    argumentsEscaped = reader.ValueIsEscaped;
                }
            }
        }

        OnToolCall(index, id, name, arguments, argumentsEscaped, output);
    }

    /// <summary>A tool_calls delta: the call's start (its id and name) the first time its index is seen, then its argument text.</summary>
    private void OnToolCall(int index, string? id, string? name, ReadOnlySpan<byte> arguments, bool argumentsEscaped, IBufferWriter<byte> output)
    {
        var call = FindCall(index);
        if (call is null)
        {
            CloseMessage(output);
            CloseReasoning(output);
            call = OutputItem.Call(ResponsesToolMap.Lookup(_tools, name ?? ""), id ?? ResponsesWire.NewItemId("call"));
            _calls.Add((index, call));
            _items.Add(call);
            if (call.Kind != OutputItemKind.LocalShellCall) ItemAdded(call, output);
        }
        if (arguments.IsEmpty) return;
        call.Append(Unescape(arguments, argumentsEscaped));
        if (call.Kind != OutputItemKind.FunctionCall) return; // custom and shell calls go out whole at their end (their input is not the JSON)
        Head(output, "response.function_call_arguments.delta"u8);
        ItemRef(output, call);
        SseWriter.Raw(output, ",\"delta\":"u8);
        SseWriter.QuotedEscaped(output, arguments);
        SseWriter.Raw(output, "}\n\n"u8);
    }

    private OutputItem? FindCall(int index)
    {
        foreach (var (i, item) in _calls)
            if (i == index) return item;
        return null;
    }

    private void OnText(ReadOnlySpan<byte> escaped, bool isEscaped, IBufferWriter<byte> output)
    {
        if (_message is null)
        {
            CloseReasoning(output);
            CloseCalls(output);
            _message = new OutputItem(OutputItemKind.Message, ResponsesWire.NewItemId("msg"));
            _items.Add(_message);
            ItemAdded(_message, output);
            var json = JsonEvent(output, "response.content_part.added"u8);
            WriteItemRef(json, _message);
            json.WriteNumber("content_index"u8, 0);
            json.WritePropertyName("part"u8);
            OutputItem.WriteTextPart(json, default);
            SseWriter.EndJsonFrame(json, output);
        }
        _message.Append(Unescape(escaped, isEscaped));
        Head(output, "response.output_text.delta"u8);
        ItemRef(output, _message);
        SseWriter.Raw(output, ",\"content_index\":0,\"delta\":"u8);
        SseWriter.QuotedEscaped(output, escaped);
        SseWriter.Raw(output, ",\"logprobs\":[]}\n\n"u8);
    }

    private void OnReasoning(ReadOnlySpan<byte> escaped, bool isEscaped, IBufferWriter<byte> output)
    {
        if (_reasoning is null)
        {
            CloseMessage(output);
            CloseCalls(output);
            _reasoning = new OutputItem(OutputItemKind.Reasoning, ResponsesWire.NewItemId("rs"));
            _items.Add(_reasoning);
            ItemAdded(_reasoning, output);
            var json = JsonEvent(output, "response.reasoning_summary_part.added"u8);
            WriteItemRef(json, _reasoning);
            json.WriteNumber("summary_index"u8, 0);
            WriteSummaryPart(json, default);
            SseWriter.EndJsonFrame(json, output);
        }
        _reasoning.Append(Unescape(escaped, isEscaped));
        Head(output, "response.reasoning_summary_text.delta"u8);
        ItemRef(output, _reasoning);
        SseWriter.Raw(output, ",\"summary_index\":0,\"delta\":"u8);
        SseWriter.QuotedEscaped(output, escaped);
        SseWriter.Raw(output, "}\n\n"u8);
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.ValueTextEquals("prompt_tokens"u8)) _usage.InputTokens = Number(ref reader) ?? _usage.InputTokens;
            else if (reader.ValueTextEquals("completion_tokens"u8)) _usage.OutputTokens = Number(ref reader) ?? _usage.OutputTokens;
            else if (reader.ValueTextEquals("cached_tokens"u8)) _usage.CachedTokens = Number(ref reader) ?? _usage.CachedTokens;
            else if (reader.ValueTextEquals("reasoning_tokens"u8)) _usage.ReasoningTokens = Number(ref reader) ?? _usage.ReasoningTokens;
        }
    }

    private static long? Number(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : null;
    }

    private static string FinishReason(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("length"u8) ? "length"
        : reader.ValueTextEquals("tool_calls"u8) ? "tool_calls"
        : reader.ValueTextEquals("content_filter"u8) ? "content_filter"
        : "stop";

    private static string? ErrorMessage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); return null; }
        string? message = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1) continue;
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String) message = reader.GetString();
            else reader.Skip();
        }
        return message;
    }

    /// <summary>A string value's unescaped bytes, in a buffer reused for the whole stream.</summary>
    private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> value, bool escaped)
    {
        if (!escaped) return value;
        if (_unescaped.Length < value.Length) _unescaped = new byte[Math.Max(value.Length, _unescaped.Length * 2)];
        return UnescapeInto(value, _unescaped);
    }

    private static ReadOnlySpan<byte> UnescapeInto(ReadOnlySpan<byte> escaped, byte[] destination)
    {
        // The reader unescapes only a value it is positioned on: read the string token again on its own.
        Span<byte> quoted = escaped.Length + 2 <= 512 ? stackalloc byte[escaped.Length + 2] : new byte[escaped.Length + 2];
        quoted[0] = (byte)'"';
        escaped.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        var written = reader.CopyString(destination);
        return destination.AsSpan(0, written);
    }

    // ---- writing events -----------------------------------------------------------------------------------

    private void Start(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        WriteLifecycle(output, "response.created"u8, "in_progress");
        WriteLifecycle(output, "response.in_progress"u8, "in_progress");
    }

    private void Finish(IBufferWriter<byte> output)
    {
        if (_finished) return;
        CloseAll(output);
        var (status, reason) = ResponseObject.FromFinishReason(_finishReason);
        var json = JsonEvent(output, status == "completed" ? "response.completed"u8 : "response.incomplete"u8);
        json.WritePropertyName("response"u8);
        ResponseObject.Write(json, _responseId, _createdAt, _model, status, _items, _usage, reason);
        SseWriter.EndJsonFrame(json, output);
        _finished = true;
    }

    private void Fail(string message, IBufferWriter<byte> output)
    {
        if (_finished) return;
        var json = JsonEvent(output, "response.failed"u8);
        json.WritePropertyName("response"u8);
        ResponseObject.Write(json, _responseId, _createdAt, _model, "failed", _items.FindAll(static i => i.Done), _usage, error: message);
        SseWriter.EndJsonFrame(json, output);
        _finished = true;
        Failed = true;
    }

    /// <summary>The stream ended in response.failed (the upstream's error, a break, or a truncation).</summary>
    public bool Failed { get; private set; }

    private void WriteLifecycle(IBufferWriter<byte> output, ReadOnlySpan<byte> type, string status)
    {
        var json = JsonEvent(output, type);
        json.WritePropertyName("response"u8);
        ResponseObject.Write(json, _responseId, _createdAt, _model, status, null, default);
        SseWriter.EndJsonFrame(json, output);
    }

    private void ItemAdded(OutputItem item, IBufferWriter<byte> output)
    {
        var json = JsonEvent(output, "response.output_item.added"u8);
        json.WriteNumber("output_index"u8, _items.IndexOf(item));
        json.WritePropertyName("item"u8);
        item.WriteTo(json, done: false);
        SseWriter.EndJsonFrame(json, output);
    }

    private void ItemDone(OutputItem item, IBufferWriter<byte> output)
    {
        item.Done = true;
        var json = JsonEvent(output, "response.output_item.done"u8);
        json.WriteNumber("output_index"u8, _items.IndexOf(item));
        json.WritePropertyName("item"u8);
        item.WriteTo(json);
        SseWriter.EndJsonFrame(json, output);
    }

    private void CloseAll(IBufferWriter<byte> output)
    {
        CloseReasoning(output);
        CloseMessage(output);
        CloseCalls(output);
    }

    private void CloseMessage(IBufferWriter<byte> output)
    {
        if (_message is not { } message) return;
        _message = null;
        var json = JsonEvent(output, "response.output_text.done"u8);
        WriteItemRef(json, message);
        json.WriteNumber("content_index"u8, 0);
        json.WriteString("text"u8, message.Text.WrittenSpan);
        json.WriteStartArray("logprobs"u8);
        json.WriteEndArray();
        SseWriter.EndJsonFrame(json, output);
        json = JsonEvent(output, "response.content_part.done"u8);
        WriteItemRef(json, message);
        json.WriteNumber("content_index"u8, 0);
        json.WritePropertyName("part"u8);
        OutputItem.WriteTextPart(json, message.Text.WrittenSpan);
        SseWriter.EndJsonFrame(json, output);
        ItemDone(message, output);
    }

    private void CloseReasoning(IBufferWriter<byte> output)
    {
        if (_reasoning is not { } reasoning) return;
        _reasoning = null;
        var json = JsonEvent(output, "response.reasoning_summary_text.done"u8);
        WriteItemRef(json, reasoning);
        json.WriteNumber("summary_index"u8, 0);
        json.WriteString("text"u8, reasoning.Text.WrittenSpan);
        SseWriter.EndJsonFrame(json, output);
        json = JsonEvent(output, "response.reasoning_summary_part.done"u8);
        WriteItemRef(json, reasoning);
        json.WriteNumber("summary_index"u8, 0);
        WriteSummaryPart(json, reasoning.Text.WrittenSpan);
        SseWriter.EndJsonFrame(json, output);
        ItemDone(reasoning, output);
    }

    private void CloseCalls(IBufferWriter<byte> output)
    {
        foreach (var (_, call) in _calls)
        {
            Utf8JsonWriter json;
            switch (call.Kind)
            {
                case OutputItemKind.FunctionCall:
                    json = JsonEvent(output, "response.function_call_arguments.done"u8);
                    WriteItemRef(json, call);
                    json.WriteString("name"u8, call.Name);
                    json.WriteString("arguments"u8, call.Text.WrittenSpan);
                    SseWriter.EndJsonFrame(json, output);
                    break;
                case OutputItemKind.CustomToolCall:
                    var input = call.CustomInput();
                    json = JsonEvent(output, "response.custom_tool_call_input.delta"u8);
                    WriteItemRef(json, call);
                    json.WriteString("delta"u8, input);
                    SseWriter.EndJsonFrame(json, output);
                    json = JsonEvent(output, "response.custom_tool_call_input.done"u8);
                    WriteItemRef(json, call);
                    json.WriteString("input"u8, input);
                    SseWriter.EndJsonFrame(json, output);
                    break;
                case OutputItemKind.LocalShellCall:
                    ItemAdded(call, output);
                    break;
            }
            ItemDone(call, output);
        }
        _calls.Clear();
    }

    private static void WriteSummaryPart(Utf8JsonWriter json, ReadOnlySpan<byte> text)
    {
        json.WriteStartObject("part"u8);
        json.WriteString("type"u8, "summary_text"u8);
        json.WriteString("text"u8, text);
        json.WriteEndObject();
    }

    private void WriteItemRef(Utf8JsonWriter json, OutputItem item)
    {
        json.WriteString("item_id"u8, item.Id);
        json.WriteNumber("output_index"u8, _items.IndexOf(item));
    }

    /// <summary><c>event: T\ndata: {"type":"T","sequence_number":N</c>: the head of a hot-path event written by hand.</summary>
    private void Head(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        SseWriter.Raw(output, "event: "u8);
        SseWriter.Raw(output, type);
        SseWriter.Raw(output, "\ndata: {\"type\":\""u8);
        SseWriter.Raw(output, type);
        SseWriter.Raw(output, "\",\"sequence_number\":"u8);
        SseWriter.Number(output, _sequence++);
    }

    /// <summary><c>,"item_id":"…","output_index":N</c> without allocating (ids are ASCII).</summary>
    private void ItemRef(IBufferWriter<byte> output, OutputItem item)
    {
        SseWriter.Raw(output, ",\"item_id\":\""u8);
        var id = item.Id;
        var span = output.GetSpan(id.Length);
        for (var i = 0; i < id.Length; i++) span[i] = (byte)id[i];
        output.Advance(id.Length);
        SseWriter.Raw(output, "\",\"output_index\":"u8);
        SseWriter.Number(output, _items.IndexOf(item));
    }

    private Utf8JsonWriter JsonEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        SseWriter.Raw(output, "event: "u8);
        SseWriter.Raw(output, type);
        SseWriter.Raw(output, "\ndata: "u8);
        var json = SseWriter.BeginJson(ref _json, output);
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        json.WriteNumber("sequence_number"u8, _sequence++);
        return json;
    }
}
