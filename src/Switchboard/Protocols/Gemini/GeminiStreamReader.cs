using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Gemini;

/// <summary>One part of a streamed Gemini candidate, as spans into the event's data (valid during the callback only).</summary>
internal ref struct GeminiPart
{
    /// <summary>The text exactly as escaped in the upstream JSON (copied into the client's JSON string as is).</summary>
    public ReadOnlySpan<byte> EscapedText;
    public bool Thought;
    public string? Signature;
    /// <summary>Set for a functionCall part.</summary>
    public string? CallName;
    public string? CallId;
    /// <summary>The call's args object as raw JSON.</summary>
    public ReadOnlySpan<byte> CallArgs;
}

/// <summary>
/// The reading half of both Gemini stream translators. streamGenerateContent?alt=sse sends one GenerateContentResponse
/// per <c>data:</c> event: a partial first candidate (text in pieces, function calls whole), usageMetadata (cumulative)
/// on every event, finishReason on the last. There is no [DONE]: the stream just ends, so one that ends without a
/// finishReason (or a prompt blockReason) was cut short and ends with an error event. Parsed with
/// <see cref="Utf8JsonReader"/>; text is handed on as escaped bytes, so a text event allocates nothing.
/// </summary>
internal abstract class GeminiStreamReader : IStreamTranslator
{
    private protected GeminiWire.Finish FinishReason;
    private protected TokenUsage CurrentUsage;
    /// <summary>From the first event: used in message/completion ids and tool ids.</summary>
    private protected string? ResponseId;
    private protected bool Finished;

    public TokenUsage Usage => CurrentUsage;

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (Finished) return;
        if (data.SequenceEqual("[DONE]"u8))
        {
            Complete(output);
            return;
        }
        try
        {
            if (ResponseId is null) ReadFirstEventHeader(data);
            ReadChunk(data, output);
        }
        catch (JsonException)
        {
            // A malformed event carries nothing we could forward.
        }
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        if (Finished) return true;
        if (FinishReason == GeminiWire.Finish.None)
        {
            OnFailed(StreamEnd.TruncatedMessage(ApiFormat.Gemini), output);
            return false;
        }
        Complete(output);
        return true;
    }

    public void OnFailed(string message, IBufferWriter<byte> output)
    {
        if (Finished) return;
        WriteError(output, 500, message);
        Finished = true;
    }

    /// <summary>Called once per part of the first candidate, in order.</summary>
    private protected abstract void OnPart(scoped in GeminiPart part, IBufferWriter<byte> output);

    /// <summary>Called at the start of every event, before its parts (the first call is the place for a stream head).</summary>
    private protected abstract void OnChunkStart(IBufferWriter<byte> output);

    /// <summary>The stream ended: write the client protocol's closing events.</summary>
    private protected abstract void Complete(IBufferWriter<byte> output);

    /// <summary>An error frame in the client's protocol, from a message of ours.</summary>
    private protected abstract void WriteError(IBufferWriter<byte> output, int status, string message);

    /// <summary>An error frame in the client's protocol, from Gemini's error JSON.</summary>
    private protected abstract void WriteError(IBufferWriter<byte> output, int status, byte[] upstreamBody);

    /// <summary>The HTTP status in Gemini's {"error": {"code": 503, …}}; 500 when it has none.</summary>
    private static int ErrorStatus(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.TryGetProperty("error"u8, out JsonElement error) && error.ValueKind == JsonValueKind.Object
            && error.TryGetProperty("code"u8, out JsonElement code) && code.TryGetInt32(out int status) && status is >= 400 and < 600
            ? status : 500;
    }

    /// <summary>responseId and usage come after the candidates in each event, but the stream head needs them first.</summary>
    private void ReadFirstEventHeader(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("responseId"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) id = reader.GetString();
            }
            else if (reader.ValueTextEquals("usageMetadata"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) CurrentUsage = GeminiWire.ReadUsage(ref reader, CurrentUsage);
                else reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        ResponseId = GeminiWire.SafeResponseId(id);
    }

    private void ReadChunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        bool started = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("candidates"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                bool first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (first && reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (!started) { OnChunkStart(output); started = true; }
                        ReadCandidate(ref reader, data, output);
                    }
                    else reader.Skip();
                    first = false;
                }
            }
            else if (reader.ValueTextEquals("usageMetadata"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) CurrentUsage = GeminiWire.ReadUsage(ref reader, CurrentUsage);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("promptFeedback"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool block = reader.ValueTextEquals("blockReason"u8);
                    reader.Read();
                    if (block && reader.TokenType == JsonTokenType.String) FinishReason = GeminiWire.Finish.Filtered;
                    else reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                // A failure reported inside the stream: {"error": {"code": …, "message": …, "status": …}}.
                WriteError(output, ErrorStatus(data), data.ToArray());
                Finished = true;
                return;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (!started) OnChunkStart(output);
    }

    private void ReadCandidate(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!reader.ValueTextEquals("parts"u8))
                    {
                        reader.Read();
                        reader.Skip();
                        continue;
                    }
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject) ReadPart(ref reader, data, output);
                }
            }
            else if (reader.ValueTextEquals("finishReason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) FinishReason = GeminiWire.ParseFinish(reader.ValueSpan);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadPart(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var part = new GeminiPart();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) part.EscapedText = reader.ValueSpan;
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("thought"u8))
            {
                reader.Read();
                part.Thought = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("thoughtSignature"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) part.Signature = reader.GetString();
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("functionCall"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                part.CallName = "";
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String) part.CallName = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("id"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String) part.CallId = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("args"u8))
                    {
                        reader.Read();
                        int start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        if (data[start] == (byte)'{') part.CallArgs = data[start..(int)reader.BytesConsumed];
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        OnPart(part, output);
    }

    /// <summary>Raw JSON (function call args) as the escaped contents of a JSON string.</summary>
    private protected static ReadOnlySpan<byte> EscapeArguments(ReadOnlySpan<byte> rawJson) =>
        rawJson.IsEmpty ? "{}"u8 : JsonEncodedText.Encode(rawJson, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes;

    private protected static ReadOnlySpan<byte> Escape(string value) => JsonEncodedText.Encode(value, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes;
}
