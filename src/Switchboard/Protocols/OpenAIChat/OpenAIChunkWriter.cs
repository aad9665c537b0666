using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.OpenAIChat;

/// <summary>Where an <see cref="OpenAIChunkWriter"/> gets the chunk id, asked only when it first needs it.</summary>
/// <remarks>Each translator has its own rule for the id (pinned, from the upstream, random); an interface rather than a
/// delegate keeps the writer free of a per-stream allocation.</remarks>
internal interface IOpenAIChunkIdSource
{
    string ChunkId { get; }
}

/// <summary>
/// Writes the frames of an OpenAI chat.completion.chunk stream for the translators that serve OpenAI clients: deltas
/// (role, content, reasoning, tool calls), then finish_reason, the usage chunk if the client asked, and [DONE].
/// <para>
/// Every chunk starts with the same <c>data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,
/// "choices":[{"index":0,"delta":{</c>, built once per stream; a delta then only copies the upstream's escaped bytes
/// in between, so it allocates nothing.
/// </para>
/// </summary>
internal sealed class OpenAIChunkWriter
{
    private readonly IOpenAIChunkIdSource _idSource;
    private readonly string _model;
    private readonly long _created;
    private readonly bool _includeUsage;
    private Utf8JsonWriter? _json;
    private byte[]? _chunkPrefix;

    /// <param name="idSource">Asked for the id when the first chunk is written, and again for the usage chunk.</param>
    /// <param name="model">The model name the client sees in every chunk.</param>
    /// <param name="created">Unix seconds for <c>created</c>.</param>
    /// <param name="includeUsage">The client sent <c>stream_options.include_usage</c>: add the usage chunk at the end.</param>
    public OpenAIChunkWriter(IOpenAIChunkIdSource idSource, string model, long created, bool includeUsage)
    {
        _idSource = idSource;
        _model = model;
        _created = created;
        _includeUsage = includeUsage;
    }

    /// <summary>The stream's first chunk: <c>"role":"assistant","content":""</c>.</summary>
    public void Role(IBufferWriter<byte> output)
    {
        WritePrefix(output);
        SseWriter.Raw(output, "\"role\":\"assistant\",\"content\":\"\""u8);
        WriteOpenSuffix(output);
    }

    public void Content(IBufferWriter<byte> output, ReadOnlySpan<byte> escapedText) =>
        WriteStringDelta(output, "\"content\":\""u8, escapedText);

    public void Reasoning(IBufferWriter<byte> output, ReadOnlySpan<byte> escapedText) =>
        WriteStringDelta(output, "\"reasoning_content\":\""u8, escapedText);

    /// <summary>A tool call's first delta: index, id, name and the arguments so far (may be empty).</summary>
    public void ToolCallStart(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> escapedId, ReadOnlySpan<byte> escapedName,
        ReadOnlySpan<byte> escapedArguments)
    {
        WriteToolCallHead(output, index);
        SseWriter.Raw(output, ",\"id\":"u8);
        SseWriter.QuotedEscaped(output, escapedId);
        SseWriter.Raw(output, ",\"type\":\"function\",\"function\":{\"name\":"u8);
        SseWriter.QuotedEscaped(output, escapedName);
        SseWriter.Raw(output, ",\"arguments\":\""u8);
        SseWriter.Raw(output, escapedArguments);
        WriteToolCallEnd(output);
    }

    /// <summary>A later fragment of the arguments of the tool call at <paramref name="index"/>.</summary>
    public void ToolArguments(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> escapedFragment)
    {
        WriteToolCallHead(output, index);
        SseWriter.Raw(output, ",\"function\":{\"arguments\":\""u8);
        SseWriter.Raw(output, escapedFragment);
        WriteToolCallEnd(output);
    }

    /// <summary>Opens a chunk whose delta the caller writes itself (raw JSON members); close it with <see cref="EndDelta"/>.</summary>
    public void BeginDelta(IBufferWriter<byte> output) => WritePrefix(output);

    /// <summary>Closes a chunk opened with <see cref="BeginDelta"/>.</summary>
    public static void EndDelta(IBufferWriter<byte> output) => WriteOpenSuffix(output);

    /// <summary>The end of a stream: the finish_reason chunk, the usage chunk (if the client asked), [DONE].</summary>
    /// <param name="finishReason">An OpenAI finish_reason; anything unknown is sent as "stop".</param>
    public void End(IBufferWriter<byte> output, string finishReason, TokenUsage usage)
    {
        WritePrefix(output);
        SseWriter.Raw(output, "},\"logprobs\":null,\"finish_reason\":\""u8);
        SseWriter.Raw(output, finishReason switch
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
            Utf8JsonWriter json = SseWriter.BeginJson(ref _json, output);
            WriteChunkHead(json);
            json.WriteEndArray();
            UsageMapping.WriteOpenAI(json, usage);
            SseWriter.EndJsonFrame(json, output);
        }
        SseWriter.Raw(output, "data: [DONE]\n\n"u8);
    }

    /// <summary>An error ends an OpenAI stream: the error object as a data frame, then [DONE].</summary>
    public static void ErrorAndDone(IBufferWriter<byte> output, ReadOnlySpan<byte> openAIErrorJson)
    {
        SseWriter.Raw(output, "data: "u8);
        SseWriter.Raw(output, openAIErrorJson);
        SseWriter.Raw(output, "\n\ndata: [DONE]\n\n"u8);
    }

    private void WriteStringDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> field, ReadOnlySpan<byte> escapedValue)
    {
        WritePrefix(output);
        SseWriter.Raw(output, field);
        SseWriter.Raw(output, escapedValue);
        SseWriter.Raw(output, "\""u8);
        WriteOpenSuffix(output);
    }

    private void WritePrefix(IBufferWriter<byte> output)
    {
        if (_chunkPrefix is null)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            SseWriter.Raw(buffer, "data: "u8);
            using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
            {
                WriteChunkHead(json);
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

    /// <summary>A tool_calls delta up to the call's index: <c>…"delta":{"tool_calls":[{"index":n</c>.</summary>
    private void WriteToolCallHead(IBufferWriter<byte> output, int index)
    {
        WritePrefix(output);
        SseWriter.Raw(output, "\"tool_calls\":[{\"index\":"u8);
        SseWriter.Number(output, index);
    }

    /// <summary>Closes the arguments string, the function, the call, the array and the chunk.</summary>
    private static void WriteToolCallEnd(IBufferWriter<byte> output)
    {
        SseWriter.Raw(output, "\"}}]"u8);
        WriteOpenSuffix(output);
    }

    /// <summary>Every chunk's <c>{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[</c>.</summary>
    private void WriteChunkHead(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, _idSource.ChunkId);
        json.WriteString("object"u8, "chat.completion.chunk"u8);
        json.WriteNumber("created"u8, _created);
        json.WriteString("model"u8, _model);
        json.WriteStartArray("choices"u8);
    }

    /// <summary>Closes a chunk whose delta is still open.</summary>
    private static void WriteOpenSuffix(IBufferWriter<byte> output) =>
        SseWriter.Raw(output, "},\"logprobs\":null,\"finish_reason\":null}]}\n\n"u8);
}
